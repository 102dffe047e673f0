import { attempt, type LobbyContext } from './context.js';
import { byId, h, show } from './dom.js';

/** Create a party, join one by its code, see its members, leave it. */
export function mountPartyPanel(root: HTMLElement, context: LobbyContext): void {
  const { mm } = context;
  const code = h('input', {
    id: 'party-code',
    placeholder: 'invite code',
    maxlength: '16',
    autocomplete: 'off',
  });
  const create = h('button', { id: 'create-party' }, 'Create a party');
  const join = h('button', { id: 'join-party' }, 'Join');
  const leave = h('button', { id: 'leave-party', hidden: true }, 'Leave the party');
  show(
    root,
    h('h2', {}, 'Party'),
    h('p', { id: 'party' }, 'Not in a party: play alone, or make one and give friends its code.'),
    h('p', {}, create, ' or ', code, join, ' ', leave),
  );
  const status = byId('party');

  create.onclick = () =>
    attempt(context, async () => mm.createParty({ latencies: await pings(context) }), [create, join]);
  join.onclick = () =>
    attempt(context, async () => mm.joinParty(code.value.trim(), { latencies: await pings(context) }), [
      create,
      join,
    ]);
  leave.onclick = () => attempt(context, () => mm.leaveParty(), [leave]);

  mm.on('partyUpdated', (party) => {
    show(
      status,
      'Party ',
      h('strong', { id: 'party-id' }, party.partyId),
      ` led by ${party.leader}: `,
      h('span', { id: 'party-members' }, party.members.join(', ')),
      party.leader === context.userId ? ' (you queue for everyone)' : ' (the leader queues for everyone)',
    );
    leave.hidden = false;
  });
  mm.on('partyLeft', (left) => {
    show(status, left.reason === 'kicked' ? 'You were removed from the party.' : 'You left the party.');
    leave.hidden = true;
  });
}

/** Members report their pings with the party actions, so the party can queue by ping. */
async function pings(context: LobbyContext): Promise<Record<string, number> | undefined> {
  try {
    return await context.mm.measurePings();
  } catch {
    return undefined;
  }
}
