import './style.css';
import { devKeyOf } from './dev-token.js';
import { byId, h, show } from './dom.js';
import { openLobby } from './lobby.js';

/** The sign-in: a dev user name, then the lobby. Without the run's key the page says where to get it. */
function main(): void {
  const root = byId('app');
  const devKey = devKeyOf(location);
  if (!devKey) {
    show(
      root,
      h('h1', {}, 'Matchmaking lobby'),
      h(
        'p',
        { id: 'notice', class: 'error' },
        "Open the lobby link `pnpm dev` printed: it carries this run's dev key.",
      ),
    );
    return;
  }
  const name = h('input', {
    id: 'user-name',
    placeholder: 'alice',
    maxlength: '128',
    autocomplete: 'off',
    required: true,
  });
  const play = h('button', { id: 'sign-in', type: 'submit' }, 'Play');
  const notice = h('p', { id: 'notice', role: 'status' });
  const form = h('form', {}, h('label', {}, 'Dev user name ', name), ' ', play);
  show(
    root,
    h('h1', {}, 'Matchmaking lobby'),
    h('p', {}, 'Pick any name: the local identity issues its token.'),
    form,
    notice,
  );
  form.onsubmit = (event) => {
    event.preventDefault();
    play.disabled = true;
    openLobby(root, devKey, name.value.trim()).catch((error: unknown) => {
      play.disabled = false;
      notice.className = 'error';
      notice.textContent = `Could not sign in: ${(error as Error).message}`;
    });
  };
}

main();
