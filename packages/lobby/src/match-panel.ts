import type { Team } from '@matchmaking/client';
import { attempt, type LobbyContext } from './context.js';
import { h, show } from './dom.js';
import { ratingText, resultText } from './format.js';
import { gamePage } from './game-page.js';

/** The match from MATCH FOUND (and its ready check) to the server's address and the new rating. */
export function mountMatchPanel(
  root: HTMLElement,
  context: LobbyContext,
  onRating: (text: string) => void,
): void {
  const { mm } = context;
  const state = h('div', { id: 'match' }, h('p', {}, 'No match yet.'));
  show(root, h('h2', {}, 'Match'), state);
  let countdown: ReturnType<typeof setInterval> | undefined;
  const stopCountdown = () => {
    if (countdown) clearInterval(countdown);
    countdown = undefined;
  };

  mm.on('matchProposed', (proposal) => {
    stopCountdown();
    const seconds = h('span', { id: 'accept-seconds' });
    const tick = () => {
      seconds.textContent = String(Math.max(0, Math.ceil((proposal.deadline - Date.now()) / 1000)));
    };
    tick();
    countdown = setInterval(tick, 250);
    const accept = h('button', { id: 'accept-match' }, 'Accept');
    const decline = h('button', { id: 'decline-match' }, 'Decline');
    const answer = async (yes: boolean) => {
      const answered = await attempt(
        context,
        async () => Boolean(await mm.acceptMatch(proposal.matchId, yes)),
        [accept, decline],
        () => undefined,
      );
      // A failed answer (a timeout, a dropped connection) may be tried again until the deadline.
      if (!answered) for (const button of [accept, decline]) button.disabled = false;
    };
    accept.onclick = () => answer(true);
    decline.onclick = () => answer(false);
    show(
      state,
      h('p', { id: 'match-status', class: 'headline' }, 'MATCH FOUND: ready check'),
      h('p', {}, 'Accept within ', seconds, ' s, or the match is dropped. ', accept, ' ', decline),
      h('p', { id: 'accepted-count' }, 'Nobody has accepted yet.'),
      teams(proposal.teams, proposal.team, `${proposal.queue} in ${proposal.region}`),
    );
  });
  mm.on('matchAccepted', (accepted) => {
    const line = document.getElementById('accepted-count');
    if (line) line.textContent = `${accepted.accepted} of ${accepted.players} accepted`;
  });
  mm.on('matchDeclined', (declined) => {
    stopCountdown();
    const why = declined.reason === 'declined' ? 'a player declined' : 'not everyone accepted in time';
    const next = declined.requeued ? 'you are back in the queue, in your place' : 'you left the queue';
    show(state, h('p', { id: 'match-status' }, `Match dropped: ${why}; ${next}.`));
  });
  mm.on('matchFound', (found) => {
    stopCountdown();
    show(
      state,
      h('p', { id: 'match-status', class: 'headline' }, found.message),
      teams(found.teams, found.team, found.region),
      h('p', { id: 'server' }, 'Starting the game server...'),
    );
  });
  mm.on('serverReady', (server) => {
    const line = document.getElementById('server') ?? state.appendChild(h('p', { id: 'server' }));
    const page = gamePage(server.gameUrl, server.ip);
    show(
      line,
      'Server ',
      h('code', { id: 'server-address' }, `${server.ip}:${server.port}`),
      ' is ready: ',
      page
        ? h(
            'a',
            { id: 'game-link', href: page, target: '_blank', rel: 'noopener noreferrer' },
            'open the game',
          )
        : 'its address is not a game server page',
    );
  });
  mm.on('matchFinished', (finished) => {
    const text = `You ${resultText(finished.outcome, finished.team)}: rating ${ratingText(finished.previous)} -> ${ratingText(finished.rating)}`;
    show(state, h('p', { id: 'match-status', class: 'headline' }, text));
    onRating(ratingText(finished.rating));
  });
  for (const type of ['matchCancelled', 'matchAbandoned'] as const)
    mm.on(type, (ended) => {
      stopCountdown();
      show(state, h('p', { id: 'match-status' }, `${ended.message} (${ended.reason})`));
    });
}

function teams(sides: Record<Team, string[]>, mine: Team, where: string): HTMLElement {
  const side = (team: Team) =>
    h(
      'li',
      { class: team === mine ? 'mine' : '' },
      `${team}${team === mine ? ' (you)' : ''}: ${sides[team].join(', ')}`,
    );
  return h('div', { id: 'teams' }, h('p', {}, where), h('ul', {}, side('home'), side('away')));
}
