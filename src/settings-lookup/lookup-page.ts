import { createHash } from 'node:crypto';

// The public lookup page (GET /lookup): static HTML whose script asks GET /lookup/settings and
// writes the answer with textContent only, so nothing from an address ever becomes markup. The
// inline script and style are allowed by their hashes in the Content-Security-Policy.

const STYLE = `
  :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
  body { max-width: 46rem; margin: 2rem auto; padding: 0 1rem; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; align-items: end; }
  label { display: flex; flex-direction: column; flex: 1 1 18rem; font-weight: 600; }
  input, button { font: inherit; padding: .5rem .75rem; }
  button, .button { border: 0; border-radius: .3rem; background: #1f5fbf; color: #fff; cursor: pointer; text-decoration: none; }
  .button { display: inline-block; padding: .5rem .75rem; }
  table { width: 100%; border-collapse: collapse; margin: .5rem 0 1.5rem; }
  th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #8884; }
  #status { min-height: 1.5em; }
  #status.error { color: #b3261e; font-weight: 600; }
`;

const SCRIPT = `
  const PROTOCOLS = { imap: 'IMAP', pop3: 'POP3', smtp: 'SMTP' };
  const ENCRYPTION = { ssl: 'SSL/TLS', starttls: 'STARTTLS' };
  const form = document.getElementById('lookup');
  const result = document.getElementById('result');
  const statusLine = document.getElementById('status');

  function say(message, isError) {
    statusLine.textContent = message;
    statusLine.className = isError ? 'error' : '';
  }

  function fill(id, servers) {
    const rows = servers.map((server) => {
      const row = document.createElement('tr');
      for (const value of [PROTOCOLS[server.protocol], server.host, server.port, ENCRYPTION[server.encryption], server.username]) {
        const cell = document.createElement('td');
        cell.textContent = String(value);
        row.append(cell);
      }
      return row;
    });
    document.querySelector('#' + id + ' tbody').replaceChildren(...rows);
  }

  async function lookUp(email) {
    result.hidden = true;
    say('Looking up ' + email + '…');
    let response;
    try {
      response = await fetch('/lookup/settings?email=' + encodeURIComponent(email), { headers: { accept: 'application/json' } });
    } catch {
      return say('The lookup failed. Check your connection and try again.', true);
    }
    const body = await response.json().catch(() => ({}));
    if (response.status === 429) {
      return say('Too many lookups. Try again in ' + (response.headers.get('retry-after') || 60) + ' seconds.', true);
    }
    if (!response.ok) {
      return say(response.status === 422 ? 'That is not an e-mail address. It looks like name@example.com.' : 'The lookup failed. Please try again later.', true);
    }
    document.getElementById('address').textContent = body.email;
    fill('incoming', body.incoming);
    fill('outgoing', body.outgoing);
    document.getElementById('profile').href = '/mobileconfig?email=' + encodeURIComponent(body.email);
    say('');
    result.hidden = false;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    lookUp(form.elements.email.value.trim());
  });
  const preset = new URLSearchParams(location.search).get('email');
  if (preset) {
    form.elements.email.value = preset;
    lookUp(preset.trim());
  }
`;

const TABLE_HEAD = '<thead><tr><th>Protocol</th><th>Server</th><th>Port</th><th>Encryption</th><th>User name</th></tr></thead><tbody></tbody>';

const HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Mail settings lookup</title>
<style>${STYLE}</style>
</head>
<body>
<main>
  <h1>Mail settings lookup</h1>
  <p>Type your e-mail address to see the servers to enter in your mail program.</p>
  <form id="lookup" action="/lookup" method="get">
    <label>E-mail address
      <input id="email" name="email" type="text" inputmode="email" autocomplete="email" required maxlength="254" placeholder="name@example.com">
    </label>
    <button type="submit">Show settings</button>
  </form>
  <p id="status" role="status" aria-live="polite"></p>
  <section id="result" hidden>
    <h2>Settings for <span id="address"></span></h2>
    <h3>Incoming mail</h3>
    <table id="incoming">${TABLE_HEAD}</table>
    <h3>Outgoing mail</h3>
    <table id="outgoing">${TABLE_HEAD}</table>
    <p>The password is your mailbox password. Outgoing mail needs it too (“my outgoing server requires authentication”).</p>
    <p><a id="profile" class="button" download>Download the Apple profile</a> (iPhone, iPad and Mac: open it to set up Mail)</p>
  </section>
  <h2>IMAP or POP3?</h2>
  <p><strong>IMAP</strong> keeps your mail on the server and in sync across all your devices: read, move or delete
    a message on your phone and your computer shows the same. Choose IMAP unless you have a reason not to.</p>
  <p><strong>POP3</strong> downloads your mail to one device, which then keeps its own copy. Other devices
    do not see what you read, sort or delete there.</p>
  <p><strong>SSL/TLS</strong> encrypts the connection from the first byte; <strong>STARTTLS</strong> switches to
    encryption after connecting. Both are secure here: use the first one listed that your program offers.</p>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

export const LOOKUP_PAGE = {
  html: HTML,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `script-src ${sha256(SCRIPT)}`,
      `style-src ${sha256(STYLE)}`,
      "connect-src 'self'",
      "form-action 'self'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
  },
} as const;
