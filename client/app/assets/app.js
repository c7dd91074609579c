// The psm local app: plain JavaScript over the JSON API of `psm app`.
// Everything shown is built with textContent (never innerHTML), so nothing a
// person typed can run as code.

const ROLE_WORDS = {
  'foster-carer': 'Foster carer',
  'child-social-worker': "Child's social worker",
  'supervising-social-worker': 'Supervising social worker',
  'fostering-team-manager': 'Fostering Team Manager',
  'cla-team-manager': 'CLA Team Manager',
  'iro': 'Independent Reviewing Officer',
  'service-manager': 'Service Manager',
  'senior-manager': 'Senior manager',
  'panel-member': 'Panel member',
  'lado': 'LADO',
  'minute-taker': 'Minute taker',
  'admin': 'Administrator',
};
const MEETING_WORDS = {
  'support': 'Placement Support Meeting',
  'pre-disruption': 'Pre-disruption meeting',
  'placement-planning': 'Placement planning meeting',
};
const MEETING_STATUS_WORDS = {
  'requested': 'Requested, not yet arranged',
  'scheduled': 'Arranged',
  'held': 'Held',
  'minutes-finalised': 'Minutes finalised',
  'cancelled': 'Cancelled',
};
const SUBJECT_WORDS = {
  'child': "The child's views",
  'carer': "The foster carer's views",
  'birth-child': "Birth children's views",
  'iro': "The IRO's views",
  'professional': "A professional's views",
};
const ACTION_STATUS_WORDS = { 'open': 'Not started', 'in-progress': 'In progress', 'done': 'Done', 'cancelled': 'Cancelled' };
const ATTENDANCE_WORDS = { 'invited': 'Invited', 'attended': 'Attended', 'apologies': 'Sent apologies', 'absent': 'Did not attend', 'not-invited': 'Not invited', 'attended-part': 'Attended part of the meeting' };
const SUPPORT_KINDS = {
  'camhs': 'CAMHS / Healthy Young Minds', 'respite': 'Respite', 'short-break': 'Short break', 'practical': 'Practical help',
  'buddy': 'Buddy carer', 'support-group': 'Support group', 'training': 'Training', 'extra-visits': 'Extra visits', 'other': 'Other',
};
const CHANGE_WORDS = {
  'request-meeting': 'Asked for a meeting', 'record-view': 'Recorded views', 'add-action': 'Agreed an action',
  'update-action': 'Updated an action', 'edit-action': 'Changed an action', 'resolve-conflict': 'Settled a conflict',
  'schedule-meeting': 'Arranged a meeting', 'invite': 'Invited someone', 'child-not-invited': 'Decided not to invite the child',
  'record-attendance': 'Recorded attendance', 'add-agenda-note': 'Added an agenda note', 'finalise-minutes': 'Finalised minutes',
  'mark-permanence-match': 'Recorded a permanence match', 'raise-conduct-concern': 'Raised a concern',
  'record-short-break': 'Recorded a short break', 'add-support-item': 'Added support to the plan',
  'child-told-of-plan': 'Recorded that the child was told of the plan', 'pre-disruption-outcome': 'Recorded a pre-disruption outcome',
};
const SYNC_WORDS = {
  waiting: 'Saved on this device, waiting to send',
  sent: 'Sent, waiting for the server',
  accepted: 'Accepted by the server',
  attention: 'Needs attention',
};

const state = { app: null, route: '', people: [], sessionRefused: '' };
const main = document.getElementById('main');

// ---------- the session (docs/security.md, "The local app")
// psm app prints an address whose part after '#' is a one-use launch secret
// (browsers never send that part to a server). The page takes it out of the
// address bar and this tab's history at once, exchanges it for this tab's own
// session token, and keeps the token in sessionStorage: this tab and this port
// only, kept across a reload, never shared with another tab or site. Every API
// call carries it in a header; the app sets and honours no cookie, because a
// browser sends cookies for 127.0.0.1 to every other program listening there.

const SESSION_KEY = 'psm-session';
let sessionToken = '';
try { sessionToken = sessionStorage.getItem(SESSION_KEY) || ''; } catch { sessionToken = ''; }

function forgetSession() {
  sessionToken = '';
  try { sessionStorage.removeItem(SESSION_KEY); } catch { /* storage switched off: nothing kept */ }
}

// Exchanges the launch secret in the address, if there is one; true if it did (or tried).
async function startSession() {
  const m = location.hash.match(/^#launch=([0-9a-f]+)$/);
  if (!m) return false;
  history.replaceState(null, '', `${location.pathname}${location.search}`);
  state.sessionRefused = '';
  try {
    const res = await fetch('/api/session', {
      method: 'POST', credentials: 'omit', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ launch: m[1] }),
    });
    const data = await res.json().catch(() => null);
    if (res.ok && data && data.token) {
      sessionToken = data.token;
      try { sessionStorage.setItem(SESSION_KEY, sessionToken); } catch { /* kept in this page only: a reload needs a new address */ }
    } else {
      state.sessionRefused = (data && data.error) || `error ${res.status}`;
    }
  } catch (e) {
    state.sessionRefused = e.message;
  }
  return true;
}

// ---------- what the page drops when the app locks

// What the person had typed when the app locked: kept in this page's memory
// only (never stored, never shown while locked), put back in the same forms
// after unlocking on the same screen.
let drafts = null;

function keepDrafts() {
  const forms = [...main.querySelectorAll('form')];
  const dirty = forms.map((f, index) => ({ f, index })).filter(({ f }) => f.dataset.dirty);
  if (!dirty.length) return;
  const valueOf = (e) => (e.type === 'checkbox' || e.type === 'radio' ? e.checked : e.value);
  drafts = {
    route: state.route,
    forms: dirty.map(({ f, index }) => ({ index, label: f.getAttribute('aria-label') || '', values: [...f.elements].map(valueOf) })),
  };
}

function restoreDrafts() {
  const kept = drafts;
  drafts = null;
  if (!kept || kept.route !== state.route) return;
  const forms = [...main.querySelectorAll('form')];
  for (const d of kept.forms) {
    const f = forms[d.index];
    if (!f || (f.getAttribute('aria-label') || '') !== d.label || f.elements.length !== d.values.length) continue;
    [...f.elements].forEach((e, i) => {
      if (e.type === 'checkbox' || e.type === 'radio') e.checked = d.values[i];
      else if (e.tagName !== 'BUTTON') e.value = d.values[i];
    });
    f.dataset.dirty = '1';
  }
}

// What the page shows: 'records' (any screen drawn from the replica), or
// 'unlock', 'nosession', 'revoked', 'loading'.
let shown = 'loading';
// True while this tab unlocks: it draws the next screen itself (with any drafts), not the poll.
let unlocking = false;

// Clears every record from the page (and what it kept of them) as soon as it
// learns the app is locked, whatever the person was doing.
function forgetRecords() {
  if (shown !== 'records') return;
  shown = 'loading';
  keepDrafts();
  state.people = [];
  main.replaceChildren();
  document.getElementById('toast').textContent = '';
  document.title = 'Placement support';
}

// ---------- small helpers

function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === false || v === null || v === undefined) continue;
    if (k === 'class') el.className = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let idCounter = 0;
function uid(prefix) { idCounter += 1; return `${prefix}-${idCounter}`; }

function field(labelText, control, hint) {
  const id = control.id || uid('f');
  control.id = id;
  const hintEl = hint ? h('span', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  return h('div', { class: 'field' }, h('label', { for: id }, labelText, hintEl), control);
}

function select(name, options, value) {
  return h('select', { name }, Object.entries(options).map(([v, label]) => h('option', { value: v, selected: v === value }, label)));
}

function formatWhen(iso, withTime = true) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const opts = withTime ? { dateStyle: 'full', timeStyle: 'short', timeZone: 'Europe/London' } : { dateStyle: 'full', timeZone: 'Europe/London' };
  return new Intl.DateTimeFormat('en-GB', opts).format(d);
}
function formatDate(ymd) {
  if (!ymd) return '';
  const d = new Date(`${ymd}T12:00:00Z`);
  return Number.isNaN(d.getTime()) ? ymd : new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(d);
}

function syncBadge(sync) {
  if (!sync) return null;
  const words = SYNC_WORDS[sync.state] || sync.state;
  return h('span', { class: `badge ${sync.state}`, 'data-sync': sync.state },
    sync.reason ? `${words}: ${sync.reason}` : words);
}

function isCarer() { return state.app && state.app.who && state.app.who.role === 'foster-carer'; }
function me() { return state.app && state.app.who ? state.app.who.person_id : ''; }

function toast(text) {
  const t = document.getElementById('toast');
  t.textContent = text;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { t.textContent = ''; }, 6000);
}

// ---------- API

class ApiError extends Error {
  constructor(status, message) { super(message); this.status = status; }
}

// True while the page refreshes itself (not the person): the app does not
// count those requests as use, so the auto-lock still happens.
let background = false;

async function api(path, body) {
  const headers = { 'X-PSM-Session': sessionToken };
  if (background) headers['X-PSM-Background'] = '1';
  const init = body === undefined
    ? { method: 'GET', credentials: 'omit', headers }
    : { method: 'POST', credentials: 'omit', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
  const res = await fetch(path, init);
  let data = null;
  try { data = await res.json(); } catch { data = null; }
  if (!res.ok) throw new ApiError(res.status, (data && data.error) || `error ${res.status}`);
  return data;
}

async function submitOp(name, body) {
  return api(`/api/ops/${name}`, body);
}

// Runs an operation from a form: shows what happened next to the form.
function opForm(form, name, build, after) {
  const out = h('div', { role: 'status', 'aria-live': 'polite' });
  form.append(out);
  form.addEventListener('input', () => { form.dataset.dirty = '1'; });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren();
    const data = new FormData(form);
    let result;
    try {
      result = await submitOp(name, build(data));
    } catch (e) {
      if (e.status === 423) { await refreshState(); render(); return; }
      out.replaceChildren(h('p', { class: 'error' }, `Not saved: ${e.message}`));
      return;
    }
    delete form.dataset.dirty;
    form.reset();
    const waiting = state.app && state.app.online ? 'It will be sent now.' : 'It will be sent when this device is online.';
    toast(`Saved on this device. ${waiting}`);
    if (after) await after(result, out);
    else await render();
  });
  return form;
}

// ---------- the sync bar (every page)

function renderSyncBar() {
  const bar = document.getElementById('sync-bar');
  const a = state.app;
  if (!a || a.locked || a.nosession || a.revoked) { bar.replaceChildren(); return; }
  const online = a.online;
  const parts = [
    h('span', { class: `pill ${online ? 'online' : 'offline'}`, id: 'online-state' }, online ? 'Online' : 'Offline'),
    h('span', { class: 'detail', id: 'last-sync' }, a.last_sync ? `Last synced ${formatWhen(a.last_sync)}` : 'Not synced yet'),
    h('span', { class: 'detail', id: 'waiting-count' },
      a.waiting_to_send === 1 ? '1 change waiting to send' : `${a.waiting_to_send || 0} changes waiting to send`),
  ];
  if (a.syncing) parts.push(h('span', { class: 'detail' }, 'Syncing…'));
  if (!online) {
    const next = a.next_attempt ? new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium', timeZone: 'Europe/London' }).format(new Date(a.next_attempt)) : '';
    parts.push(h('span', { class: 'detail', title: a.last_error || '' },
      `Working offline: your changes stay on this device${next ? `. Next try ${next}` : ''}`));
  }
  parts.push(h('button', { type: 'button', id: 'sync-now', onclick: async () => {
    try { await api('/api/sync', {}); toast('Syncing now…'); } catch (e) { toast(e.message); }
    setTimeout(poll, 800);
  } }, 'Sync now'));
  parts.push(h('button', { type: 'button', class: 'secondary', onclick: async () => {
    await api('/api/lock', {}); await refreshState(); render();
  } }, 'Lock'));
  bar.replaceChildren(...parts);
}

function renderNav() {
  const nav = document.getElementById('nav');
  const a = state.app;
  if (!a || a.locked || a.nosession || a.revoked) { nav.replaceChildren(); return; }
  const attention = a.needs_attention ? ` (${a.needs_attention})` : '';
  const links = isCarer()
    ? [['#/placements', 'My placements'], ['#/meetings', 'Meetings'], ['#/actions', 'My actions'], ['#/plan', 'Support plan'],
       ['#/breaks', 'Short breaks'], ['#/notifications', 'Notifications'], ['#/changes', `Changes${attention}`]]
    : [['#/placements', 'Caseload'], ['#/meetings', 'Meetings'], ['#/visit', 'Home visit'], ['#/actions', 'Actions'],
       ['#/breaks', 'Short breaks and concerns'], ['#/conflicts', `Conflicts${attention}`], ['#/notifications', 'Notifications'],
       ['#/changes', 'Changes']];
  const current = `#/${state.route.split('/')[1] || 'placements'}`;
  nav.replaceChildren(h('ul', {}, links.map(([href, text]) =>
    h('li', {}, h('a', { href, 'aria-current': href === current ? 'page' : false }, text)))));
}

// ---------- screens

function page(title, ...content) {
  // A redraw the person did not ask for (new records arrived) gives way if they
  // started typing while it was being prepared, so their words stay.
  if (background && main.querySelector('form[data-dirty]')) return null;
  const heading = h('h1', { tabindex: '-1', id: 'page-title' }, title);
  main.replaceChildren(heading, ...content.flat().filter((c) => c !== null && c !== undefined && c !== false));
  document.title = `${title} — Placement support`;
  return heading;
}

function screenUnlock() {
  const pass = h('input', { type: 'password', name: 'passphrase', autocomplete: 'current-password', required: true });
  const out = h('div', { role: 'alert' });
  const form = h('form', {}, field('Passphrase for this device', pass,
    'The passphrase you chose when this device was set up. It never leaves this computer.'),
    h('button', { type: 'submit' }, 'Unlock'), out);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    out.replaceChildren(h('p', {}, 'Unlocking…'));
    unlocking = true;
    try {
      await api('/api/unlock', { passphrase: pass.value });
      pass.value = '';
      await refreshState();
      // Back where the person was when it locked, with what they had typed.
      const target = `#${drafts ? drafts.route : '/placements'}`;
      if (location.hash !== target) history.pushState(null, '', target);  // no hashchange: drawn once, here
      await render();
    } catch (e) {
      out.replaceChildren(h('p', { class: 'error' }, e.status === 403 ? 'Wrong passphrase. Try again.' : e.message));
      pass.select();
    } finally {
      unlocking = false;
    }
  });
  page('Unlock this device', h('p', {}, 'The records on this device are encrypted. Enter your passphrase to open them.'), form);
  pass.focus();
}

async function screenPlacements() {
  const [placements, meetings] = await Promise.all([api('/api/placements'), api('/api/meetings')]);
  const cards = placements.map((p) => {
    const open = meetings.filter((m) => m.placement_id === p.id && m.status !== 'minutes-finalised' && m.status !== 'cancelled');
    return h('section', { class: 'card', 'aria-labelledby': `pl-${p.id}` },
      h('h2', { id: `pl-${p.id}` }, p.child || 'Child', ' with ', p.household || 'household'),
      h('p', { class: 'meta' }, `Placed since ${formatDate(p.start_date)}`, p.end_date ? `, ended ${formatDate(p.end_date)}` : ''),
      open.length ? h('ul', {}, open.map((m) => h('li', {},
        h('a', { href: `#/meeting/${m.id}` }, MEETING_WORDS[m.type] || m.type), ': ',
        MEETING_STATUS_WORDS[m.status] || m.status, m.deadline ? `, to be held by ${formatWhen(m.deadline)} ` : ' ',
        syncBadge(m.sync)))) : h('p', {}, 'No meetings in progress.'),
      h('p', {}, h('a', { href: `#/request/${p.id}` }, `Ask for a support meeting for ${p.child || 'this child'}`)));
  });
  page(isCarer() ? 'My placements' : 'Caseload', placements.length ? cards : h('p', {}, 'No placements on this device yet. They arrive with the next sync.'));
}

async function screenRequest(placementId) {
  const placements = await api('/api/placements');
  const p = placements.find((x) => x.id === placementId);
  const reason = h('textarea', { name: 'reason', required: true });
  const when = h('input', { type: 'datetime-local', name: 'identified_at' });
  const types = h('fieldset', {}, h('legend', {}, 'How urgent is it?'),
    h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'type', id: 'type-support', value: 'support', checked: true }),
      h('label', { for: 'type-support' }, 'We need support: a Placement Support Meeting (within 5 working days)')),
    h('div', { class: 'choice' }, h('input', { type: 'radio', name: 'type', id: 'type-pd', value: 'pre-disruption' }),
      h('label', { for: 'type-pd' }, 'The placement may end soon: a pre-disruption meeting (within 48 hours)')));
  const result = h('div', { id: 'request-result' });
  const form = opForm(h('form', {}, types,
    field('Why is support needed?', reason, 'In your own words: what is happening and what would help.'),
    field('When did this start to worry you? (optional)', when, 'Leave empty for now. UK time.'),
    h('button', { type: 'submit' }, 'Ask for the meeting')), 'request-meeting',
  (d) => ({ placement: placementId, type: d.get('type'), reason: d.get('reason'), identified_at: d.get('identified_at') || '' }),
  async (res) => {
    const m = res.meeting;
    result.replaceChildren(h('div', { class: 'notice', role: 'status' },
      h('p', {}, h('strong', {}, 'Your request is saved on this device.')),
      m && m.deadline ? h('p', {}, `The meeting must be held by ${formatWhen(m.deadline)}.`) : null,
      h('p', {}, 'Status: ', syncBadge(m && m.sync)),
      h('p', {}, h('a', { href: `#/meeting/${res.id}` }, 'See the request'))));
    result.querySelector('strong').focus?.();
  });
  page(`Ask for a meeting${p ? ` for ${p.child}` : ''}`, form, result);
}

async function screenMeetings() {
  const meetings = await api('/api/meetings');
  const sorted = [...meetings].sort((a, b) => (a.deadline || '').localeCompare(b.deadline || ''));
  const upcoming = sorted.filter((m) => m.status !== 'minutes-finalised' && m.status !== 'cancelled');
  const done = sorted.filter((m) => !upcoming.includes(m));
  const item = (m) => h('li', { class: 'card' },
    h('h2', {}, h('a', { href: `#/meeting/${m.id}` }, MEETING_WORDS[m.type] || m.type)),
    h('p', {}, MEETING_STATUS_WORDS[m.status] || m.status, m.overdue ? ' ' : '', m.overdue ? h('span', { class: 'badge overdue' }, 'Overdue') : null),
    m.deadline ? h('p', {}, `To be held by ${formatWhen(m.deadline)}`) : null,
    h('p', { class: 'meta' }, m.reason),
    h('p', {}, syncBadge(m.sync)));
  page('Meetings',
    h('h2', {}, 'Upcoming'), upcoming.length ? h('ul', { class: 'plain' }, upcoming.map(item)) : h('p', {}, 'None.'),
    done.length ? h('h2', {}, 'Finished') : null, done.length ? h('ul', { class: 'plain' }, done.map(item)) : null);
}

// A professional's form asks whether to share the views with the carers,
// unticked: views a professional records are for professionals unless they
// choose otherwise (the child's views are so by rule, docs/workflow.md). A
// carer's own views are always shared with them.
function viewsForm(meetingId, subjects, withShareChoice) {
  const text = h('textarea', { name: 'text', required: true });
  const subjectControl = Object.keys(subjects).length > 1
    ? field('Whose views?', select('subject', subjects, Object.keys(subjects)[0]))
    : h('input', { type: 'hidden', name: 'subject', value: Object.keys(subjects)[0] });
  const shareId = uid('share');
  return opForm(h('form', { 'aria-label': 'Add views' }, subjectControl,
    field('Views, in their own words', text),
    withShareChoice ? h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'share_with_carers', id: shareId }),
      h('label', { for: shareId }, 'Share these views with the foster carers')) : null,
    h('button', { type: 'submit' }, 'Save views')), 'record-view',
  (d) => {
    if (!withShareChoice) return { meeting: meetingId, subject: d.get('subject'), text: d.get('text') };
    const share = d.get('share_with_carers') === 'on';
    return { meeting: meetingId, subject: d.get('subject'), text: d.get('text'), share_with_carers: share, professionals_only: !share };
  });
}

function peopleSelect(name) {
  const options = {};
  for (const p of state.people) options[p.id] = `${p.name}${p.role ? ` (${ROLE_WORDS[p.role] || p.role})` : ''}`;
  return select(name, options, Object.keys(options)[0]);
}

async function screenMeeting(id) {
  const m = await api(`/api/meetings/${encodeURIComponent(id)}`);
  if (!isCarer() && !state.people.length) state.people = await api('/api/people');
  const carer = isCarer();
  const sections = [];
  sections.push(h('section', { class: 'card' },
    h('p', {}, h('strong', {}, MEETING_STATUS_WORDS[m.status] || m.status), ' ', syncBadge(m.sync)),
    m.deadline ? h('p', {}, `To be held by ${formatWhen(m.deadline)}`) : null,
    m.scheduled_for ? h('p', {}, `Arranged for ${formatWhen(m.scheduled_for)}${m.location ? `, ${m.location}` : ''}`) : null,
    h('p', {}, 'Why: ', m.reason),
    m.chair ? h('p', { class: 'meta' }, `Chair: ${m.chair}`) : null,
    m.minute_taker ? h('p', { class: 'meta' }, `Minutes: ${m.minute_taker}`) : null,
    m.review_date ? h('p', {}, `Review by ${formatDate(m.review_date)}`) : null));

  // Views
  const views = h('section', { 'aria-labelledby': 'h-views' }, h('h2', { id: 'h-views' }, 'Views'),
    m.views.length ? h('ul', {}, m.views.map((v) => h('li', {},
      h('strong', {}, SUBJECT_WORDS[v.subject] || v.subject), ': ', v.text || `asked for on ${formatDate(v.sought_on)}, none given`,
      ' ', h('span', { class: 'meta' }, `(recorded by ${v.recorded_by}${v.professionals_only ? ', professionals only' : ''})`), ' ',
      syncBadge(v.sync)))) : h('p', {}, 'No views recorded yet.'),
    h('h3', {}, carer ? 'Add my views' : 'Add views'),
    carer ? viewsForm(id, { carer: SUBJECT_WORDS.carer }, false) : viewsForm(id, SUBJECT_WORDS, true));
  sections.push(views);

  // Actions
  const owner = carer ? null : peopleSelect('owner');
  const actions = h('section', { 'aria-labelledby': 'h-actions' }, h('h2', { id: 'h-actions' }, 'Actions'),
    m.actions.length ? h('ul', {}, m.actions.map((a) => h('li', {}, a.text, ' — ', h('span', { class: 'meta' },
      `${a.owner}, due ${formatDate(a.due_date)}, ${ACTION_STATUS_WORDS[a.status] || a.status}`), ' ', syncBadge(a.sync))))
      : h('p', {}, 'No actions yet.'),
    carer ? null : h('h3', {}, 'Agree an action'),
    carer ? null : opForm(h('form', { 'aria-label': 'Agree an action' },
      field('What will be done', h('textarea', { name: 'text', required: true })),
      field('Who will do it', owner),
      field('Due by', h('input', { type: 'date', name: 'due', required: true })),
      h('button', { type: 'submit' }, 'Save action')), 'add-action',
    (d) => ({ meeting: id, owner: d.get('owner'), due: d.get('due'), text: d.get('text') })));
  sections.push(actions);

  if (!carer) {
    // Arranging the meeting
    sections.push(h('section', { 'aria-labelledby': 'h-arrange' }, h('h2', { id: 'h-arrange' }, 'Arrange the meeting'),
      opForm(h('form', { 'aria-label': 'Arrange the meeting' },
        field('Date and time (UK time)', h('input', { type: 'datetime-local', name: 'at', required: true })),
        field('Where', h('input', { type: 'text', name: 'location' })),
        field('Who takes the minutes', peopleSelect('minute_taker')),
        h('button', { type: 'submit' }, 'Save and send invitations')), 'schedule-meeting',
      (d) => ({ meeting: id, at: d.get('at'), location: d.get('location'), minute_taker: d.get('minute_taker') }))));

    // Held: attendance and the minutes follow it (docs/workflow.md).
    if (m.status === 'scheduled') {
      sections.push(h('section', { 'aria-labelledby': 'h-held' }, h('h2', { id: 'h-held' }, 'Record that the meeting was held'),
        opForm(h('form', { 'aria-label': 'Record that the meeting was held' },
          field('When it took place (UK time)', h('input', { type: 'datetime-local', name: 'at', required: true })),
          field('Where, if not where it was arranged', h('input', { type: 'text', name: 'location' })),
          h('button', { type: 'submit' }, 'Record that it was held')), 'record-held',
        (d) => ({ meeting: id, at: d.get('at'), location: d.get('location') }))));
    }

    // Attendance
    sections.push(h('section', { 'aria-labelledby': 'h-attendance' }, h('h2', { id: 'h-attendance' }, 'Attendance'),
      m.invitations.length ? h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Who'), h('th', { scope: 'col' }, 'Came?'))),
        h('tbody', {}, m.invitations.map((inv) => {
          const sel = select('status', { attended: ATTENDANCE_WORDS.attended, 'attended-part': ATTENDANCE_WORDS['attended-part'], apologies: ATTENDANCE_WORDS.apologies, absent: ATTENDANCE_WORDS.absent }, inv.attendance);
          sel.setAttribute('aria-label', `Attendance of ${inv.who}`);
          const form = opForm(h('form', { class: 'actions-row' }, sel, h('button', { type: 'submit', class: 'secondary' }, 'Save')),
            'record-attendance', (d) => ({ invitation: inv.id, status: d.get('status') }));
          return h('tr', {}, h('td', {}, inv.who, inv.organisation ? ` (${inv.organisation})` : '', inv.mandatory ? ', must attend' : '',
            h('br'), h('span', { class: 'meta' }, ATTENDANCE_WORDS[inv.attendance] || inv.attendance), ' ', syncBadge(inv.sync)), h('td', {}, form));
        }))) : h('p', {}, 'Invitations go out when the meeting is arranged.')));

    // Agenda notes
    const agendaItems = {};
    for (const a of m.agenda) agendaItems[a.key] = a.title;
    sections.push(h('section', { 'aria-labelledby': 'h-agenda' }, h('h2', { id: 'h-agenda' }, 'Agenda'),
      h('ol', {}, m.agenda.map((item) => h('li', {}, item.title,
        h('ul', {}, m.agenda_notes.filter((n) => n.item === item.key).map((n) => h('li', {}, n.text, ' ',
          h('span', { class: 'meta' }, `(${n.author}${n.professionals_only ? ', professionals only' : ''})`), ' ', syncBadge(n.sync))))))),
      agendaNoteForm(id, m.agenda, agendaItems)));

    // Support plan
    sections.push(h('section', { 'aria-labelledby': 'h-plan' }, h('h2', { id: 'h-plan' }, 'Placement Support Plan'),
      m.support_items.length ? h('ul', {}, m.support_items.map((i) => h('li', {}, `${SUPPORT_KINDS[i.kind] || i.kind}: ${i.description}`,
        i.provider ? ` — ${i.provider}` : '', i.frequency ? `, ${i.frequency}` : '', i.professionals_only ? ' (professionals only)' : '', ' ', syncBadge(i.sync))))
        : h('p', {}, 'No support agreed yet.'),
      opForm(h('form', { 'aria-label': 'Add support to the plan' },
        field('Kind of support', select('kind', SUPPORT_KINDS, 'practical')),
        field('What support', h('textarea', { name: 'text', required: true })),
        field('Who provides it', h('input', { type: 'text', name: 'provider' })),
        field('How often', h('input', { type: 'text', name: 'frequency' })),
        h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'professionals_only', id: 'si-po' }),
          h('label', { for: 'si-po' }, "Leave out of the carer's copy")),
        h('button', { type: 'submit' }, 'Add to the plan')), 'add-support-item',
      (d) => ({ meeting: id, kind: d.get('kind'), text: d.get('text'), provider: d.get('provider'), frequency: d.get('frequency'),
        professionals_only: d.get('professionals_only') === 'on' }))));

    // Finalise
    const missing = h('div', { id: 'finalise-result' });
    const finalise = h('form', { 'aria-label': 'Finalise the minutes' },
      field('Review by', h('input', { type: 'date', name: 'review_date', required: true }), 'Usually 6 weeks to 3 months from now.'),
      field('Why a different review date? (if not 6 weeks to 3 months)', h('input', { type: 'text', name: 'review_reason' })),
      h('button', { type: 'submit' }, 'Finalise the minutes'), missing);
    // Like every other form: a background redraw gives way once something is typed, so
    // neither the review date nor the list of what is missing vanishes under the person.
    finalise.addEventListener('input', () => { finalise.dataset.dirty = '1'; });
    finalise.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const d = new FormData(finalise);
      try {
        await submitOp('finalise-minutes', { meeting: id, review_date: d.get('review_date'), review_reason: d.get('review_reason') });
        toast('Minutes finalised on this device.');
        await render();
      } catch (e) {
        // The rule's message: "…; missing: 1. …; 2. …" — one list item each.
        const at = e.message.indexOf('missing: ');
        const items = at >= 0
          ? e.message.slice(at + 9).split(/;\s*(?=\d+\.\s)/).map((t) => t.replace(/^\d+\.\s*/, ''))
          : [e.message];
        missing.replaceChildren(h('div', { class: 'error', role: 'alert' }, h('p', {}, 'The minutes cannot be finalised yet. Still missing:'),
          h('ul', {}, items.map((t) => h('li', {}, t)))));
      }
    });
    sections.push(h('section', { 'aria-labelledby': 'h-finalise' }, h('h2', { id: 'h-finalise' }, 'Finalise the minutes'),
      m.status === 'minutes-finalised' ? h('p', { class: 'notice' }, 'The minutes are finalised.') : finalise));
  }
  // A pre-disruption meeting's outcome, and concerns raised at the meeting (professionals only).
  const o = m.outcome || {};
  if (o.decision) {
    sections.push(h('section', { class: 'card', 'aria-labelledby': 'h-outcome' }, h('h2', { id: 'h-outcome' }, 'Outcome'),
      h('p', {}, o.decision === 'planned-ending' ? 'A planned ending.' : 'The placement continues with support.'),
      h('dl', {}, [['Future contact', o.future_contact], ['Do the carers support the move?', o.carers_support_move],
        ['Lessons for the End of Placement Review', o.lessons]].filter(([, v]) => v)
        .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]))));
  }
  if (m.concerns && m.concerns.length) {
    sections.push(h('section', { class: 'card', 'aria-labelledby': 'h-concerns' },
      h('h2', { id: 'h-concerns' }, 'Concerns about the carers\' conduct (professionals only)'),
      h('ul', {}, m.concerns.map((c) => h('li', {}, c.text, h('span', { class: 'meta' }, ` raised by ${c.raised_by}`))))));
  }
  page(MEETING_WORDS[m.type] || 'Meeting', ...sections);
}

// Notes under "The child's views" start as professionals-only (the rule,
// docs/workflow.md); any note may be. The choice is always sent explicitly.
function agendaNoteForm(meetingId, agenda, agendaItems) {
  const first = agenda[0] && agenda[0].key;
  const item = select('item', agendaItems, first);
  const only = h('input', { type: 'checkbox', name: 'professionals_only', id: 'note-po' });
  only.checked = first === CHILD_VIEWS_ITEM;
  item.addEventListener('change', () => { only.checked = item.value === CHILD_VIEWS_ITEM; });
  return opForm(h('form', { 'aria-label': 'Add an agenda note' },
    field('Agenda item', item),
    field('Note', h('textarea', { name: 'text', required: true })),
    h('div', { class: 'choice' }, only, h('label', { for: 'note-po' }, 'Professionals only (never shown to the foster carers)')),
    h('button', { type: 'submit' }, 'Add note')), 'add-agenda-note',
  (d) => {
    const po = d.get('professionals_only') === 'on';
    return { meeting: meetingId, item: d.get('item'), text: d.get('text'), professionals_only: po, share_with_carers: !po };
  });
}
const CHILD_VIEWS_ITEM = 'child-views';

async function screenVisit() {
  const meetings = (await api('/api/meetings')).filter((m) => m.status !== 'minutes-finalised' && m.status !== 'cancelled');
  const placements = await api('/api/placements');
  const childOf = (m) => (placements.find((p) => p.id === m.placement_id) || {}).child || m.placement_id;
  if (!meetings.length) { page('Home visit', h('p', {}, 'No meetings to record views for.')); return; }
  const options = {};
  for (const m of meetings) options[m.id] = `${childOf(m)} — ${MEETING_WORDS[m.type] || m.type}, by ${formatWhen(m.deadline, false)}`;
  const child = h('textarea', { name: 'child' });
  const carer = h('textarea', { name: 'carer' });
  const birth = h('textarea', { name: 'birth' });
  const out = h('div', { role: 'status', 'aria-live': 'polite' });
  const form = h('form', {},
    field('Which meeting', select('meeting', options, Object.keys(options)[0])),
    field("The child's views, in their own words", child),
    h('div', { class: 'choice' }, h('input', { type: 'checkbox', name: 'child_share', id: 'child-share' }),
      h('label', { for: 'child-share' }, "Share the child's views with the foster carers")),
    field("The foster carer's views", carer, 'Shown to the foster carers.'),
    field("Birth children's views", birth, 'Shown to the foster carers.'),
    h('button', { type: 'submit' }, 'Save on this device'), out);
  form.addEventListener('input', () => { form.dataset.dirty = '1'; });
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const d = new FormData(form);
    const meeting = d.get('meeting');
    // Whether each is shared with the carers: the child's only if ticked.
    const entries = [['child', d.get('child'), d.get('child_share') === 'on'], ['carer', d.get('carer'), true], ['birth-child', d.get('birth'), true]]
      .filter(([, text]) => text && text.trim());
    if (!entries.length) { out.replaceChildren(h('p', { class: 'error' }, 'Write at least one person\'s views.')); return; }
    const saved = [];
    for (const [subject, text, share] of entries) {
      try {
        await submitOp('record-view', { meeting, subject, text, share_with_carers: share, professionals_only: !share });
        saved.push(SUBJECT_WORDS[subject]);
      } catch (e) {
        out.replaceChildren(h('p', { class: 'error' }, `${SUBJECT_WORDS[subject]} not saved: ${e.message}`));
        return;
      }
    }
    delete form.dataset.dirty;
    child.value = ''; carer.value = ''; birth.value = '';
    out.replaceChildren(h('p', { class: 'notice' }, `Saved on this device: ${saved.join(', ')}. `, h('a', { href: `#/meeting/${meeting}` }, 'See the meeting')));
    poll();
  });
  page('Home visit', h('p', {}, 'Write down what people said. It is kept on this device and sent when you are back online.'), form);
}

async function screenActions() {
  const actions = await api('/api/actions');
  const mine = isCarer() ? actions.filter((a) => a.owner_id === me()) : actions;
  const list = mine.map((a) => {
    const sel = select('status', ACTION_STATUS_WORDS, a.status);
    sel.setAttribute('aria-label', `Progress of: ${a.text}`);
    return h('li', { class: 'card' },
      h('h2', {}, a.text),
      h('p', {}, `${a.owner}, due ${formatDate(a.due_date)} — `, h('strong', {}, ACTION_STATUS_WORDS[a.status] || a.status), ' ', syncBadge(a.sync)),
      h('p', {}, h('a', { href: `#/meeting/${a.meeting_id}` }, 'From this meeting')),
      opForm(h('form', { class: 'actions-row', 'aria-label': `Update: ${a.text}` }, sel,
        h('input', { type: 'text', name: 'note', 'aria-label': 'Note (optional)', placeholder: 'Note (optional)' }),
        h('button', { type: 'submit', class: 'secondary' }, 'Update')), 'update-action',
      (d) => ({ action: a.id, status: d.get('status'), note: d.get('note') })),
      isCarer() ? null : h('details', {}, h('summary', {}, 'Change what was agreed'),
        opForm(h('form', { 'aria-label': `Change: ${a.text}` },
          field('What will be done', h('textarea', { name: 'text' }, a.text)),
          field('Due by', h('input', { type: 'date', name: 'due', value: a.due_date })),
          h('button', { type: 'submit' }, 'Save the change')), 'edit-action',
        (d) => ({ action: a.id, text: d.get('text') !== a.text ? d.get('text') : '', due: d.get('due') !== a.due_date ? d.get('due') : '' }))));
  });
  page(isCarer() ? 'My actions' : 'Actions', mine.length ? h('ul', { class: 'plain' }, list) : h('p', {}, 'No actions.'));
}

async function screenPlan() {
  const plans = await api('/api/plans');
  const copies = plans.carer_copies.map((c) => h('section', { class: 'card' },
    h('h2', {}, 'Placement Support Plan'),
    h('p', {}, `Review by ${formatDate(c.review_date)}`),
    c.child_told_of_plan_on ? h('p', {}, `The child was told about the plan on ${formatDate(c.child_told_of_plan_on)}.`) : null,
    h('h3', {}, 'Support'), h('div', { class: 'plan-text' }, c.support_items || 'None.'),
    h('h3', {}, 'Actions'), h('div', { class: 'plan-text' }, c.actions || 'None.')));
  page('Support plan', copies.length ? copies
    : h('p', {}, 'No Placement Support Plan yet. A copy arrives here when the meeting\'s minutes are finalised.'));
}

async function screenShortBreaks() {
  const breaks = await api('/api/short-breaks');
  const concerns = isCarer() ? [] : await api('/api/concerns');
  const nights = (n) => `${n} ${n === 1 ? 'night' : 'nights'}`;
  page(isCarer() ? 'Short breaks' : 'Short breaks and concerns',
    h('section', { 'aria-labelledby': 'h-breaks' }, h('h2', { id: 'h-breaks' }, 'Short breaks'),
      breaks.length ? h('ul', { class: 'plain' }, breaks.map((b) => h('li', { class: 'card', 'data-short-break': b.id },
        h('h3', {}, b.placement || 'A placement'),
        h('p', {}, `${formatDate(b.start_date)} to ${formatDate(b.end_date)}, ${nights(b.nights)}`,
          b.with_whom ? ` with ${b.with_whom}` : ''),
        b.over_two_weeks ? h('p', { class: 'warn' }, 'Over two weeks') : null,
        b.recorded_by ? h('p', { class: 'meta' }, `Recorded by ${b.recorded_by}`) : null)))
        : h('p', {}, 'No short breaks recorded.')),
    isCarer() ? null : h('section', { 'aria-labelledby': 'h-concerns' },
      h('h2', { id: 'h-concerns' }, 'Concerns about carers\' conduct (professionals only)'),
      concerns.length ? h('ul', { class: 'plain' }, concerns.map((c) => h('li', { class: 'card', 'data-concern': c.id },
        h('h3', {}, c.placement || 'A placement'), h('p', {}, c.text),
        h('p', { class: 'meta' }, `Raised by ${c.raised_by}, ${formatWhen(c.raised_at)} `,
          h('a', { href: `#/meeting/${c.meeting_id}` }, 'Open the meeting')))))
        : h('p', {}, 'No concerns recorded.')));
}

async function screenConflicts() {
  const conflicts = await api('/api/conflicts');
  const open = conflicts.filter((c) => c.status === 'open');
  const FIELD_WORDS = { text: 'What will be done', due_date: 'Due date', owner_id: 'Who will do it', status: 'Progress' };
  const thisDevice = state.app && state.app.who ? state.app.who.device_id : '';
  const side = (title, v) => h('div', {}, h('h3', {}, title), h('p', { class: 'value' }, v.value || '(empty)'),
    h('p', { class: 'meta' }, `${v.author || 'Someone'}, ${v.device === thisDevice ? 'on this device' : 'on another device'}`,
      v.at ? `, ${formatWhen(v.at)}` : ''));
  const about = (c) => (c.about && c.about.collection === 'actions'
    ? `An action for ${c.about.owner}, due ${formatDate(c.about.due_date)}` : (c.in_words || 'A record'));
  const list = open.map((c) => {
    const out = h('div', { role: 'status', 'aria-live': 'polite' });
    const resolve = async (keep) => {
      try {
        await submitOp('resolve-conflict', { conflict: c.id, keep });
        toast('Conflict settled on this device.');
        await render();
      } catch (e) { out.replaceChildren(h('p', { class: 'error' }, e.message)); }
    };
    return h('li', { class: 'card', 'data-conflict': c.id },
      h('h2', {}, `${about(c)}: “${FIELD_WORDS[c.field] || c.field}” was changed on two devices`),
      h('p', { class: 'meta' }, `Noticed ${formatWhen(c.detected_at)}`),
      c.about && c.about.meeting_id ? h('p', {}, h('a', { href: `#/meeting/${c.about.meeting_id}` }, 'Open the meeting')) : null,
      h('div', { class: 'side-by-side' }, side('Version kept for now', c.current), side('Other version', c.other)),
      h('div', { class: 'actions-row' },
        h('button', { type: 'button', onclick: () => resolve('current') }, 'Keep the version kept for now'),
        h('button', { type: 'button', class: 'secondary', onclick: () => resolve('other') }, 'Keep the other version')), out);
  });
  const settled = conflicts.length - open.length;
  page('Conflicts', open.length ? h('ul', { class: 'plain' }, list) : h('p', {}, 'Nothing to settle.'),
    settled ? h('p', { class: 'meta' }, `${settled} settled.`) : null);
}

async function screenNotifications() {
  const list = await api('/api/notifications');
  const sorted = [...list].sort((a, b) => (b.at || '').localeCompare(a.at || ''));
  page('Notifications', sorted.length ? h('ul', {}, sorted.map((n) => h('li', { class: 'card' },
    h('p', {}, n.text), n.in_words ? h('p', {}, `About ${n.in_words}`) : null, h('p', { class: 'meta' }, formatWhen(n.at), ' ',
      n.meeting_id ? h('a', { href: `#/meeting/${n.meeting_id}` }, 'Open the meeting') : null))))
    : h('p', {}, 'No notifications.'));
}

async function screenChanges() {
  const s = await api('/api/changes');
  const words = { queued: SYNC_WORDS.waiting, sent: SYNC_WORDS.sent, accepted: SYNC_WORDS.accepted, conflict: 'Accepted, changed elsewhere too', rejected: 'Refused' };
  const ops = [...s.operations].reverse();
  const why = state.app && !state.app.online && state.app.last_error
    ? h('p', { class: 'warn' }, `Last try to reach the server: ${state.app.last_error}`) : null;
  page('Changes from this device', why, ops.length ? h('table', {},
    h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Change'), h('th', { scope: 'col' }, 'Made'), h('th', { scope: 'col' }, 'State'))),
    h('tbody', {}, ops.map((o) => h('tr', {}, h('td', {}, CHANGE_WORDS[o.kind] || o.kind), h('td', {}, formatWhen(o.created_at)),
      h('td', {}, h('span', { class: `badge ${o.state === 'rejected' ? 'attention' : o.state === 'queued' ? 'waiting' : o.state === 'sent' ? 'sent' : 'accepted'}` },
        words[o.state] || o.state), o.reason ? ` ${o.reason}` : '')))))
    : h('p', {}, 'No changes made on this device yet.'));
}

function screenNoSession() {
  const how = h('p', {}, 'In the window where ', h('code', {}, 'psm app'),
    ' is running, press Enter: it prints a new address. Open it here, on this computer.');
  if (state.sessionRefused) {
    page('This address has been used already', h('p', {}, 'Each address that ', h('code', {}, 'psm app'),
      ' prints opens the app once, in one tab.'), how);
  } else {
    page('Open the app from psm', h('p', {}, 'This tab is not connected to ', h('code', {}, 'psm app'),
      '. It needs an address that psm app printed.'), how);
  }
}

// ---------- routing and polling

async function refreshState() {
  if (!sessionToken) {
    state.app = { nosession: true };
  } else {
    try {
      state.app = await api('/api/state');
    } catch (e) {
      if (e.status === 401) { forgetSession(); state.app = { nosession: true }; }  // e.g. psm app was started again
    }
  }
  renderSyncBar();
  renderNav();
}

async function render() {
  const a = state.app;
  state.route = location.hash.replace(/^#/, '') || '/placements';
  renderNav();
  if (!a) return;
  if (a.nosession || a.revoked || a.locked) forgetRecords();
  if (a.nosession) { shown = 'nosession'; screenNoSession(); return; }
  if (a.revoked) { shown = 'revoked'; page('This device was revoked', h('p', {}, 'An administrator revoked this device; its copy of the records has been wiped.')); return; }
  if (a.locked) { if (shown !== 'unlock') { shown = 'unlock'; screenUnlock(); } return; }
  const [, screen, arg] = state.route.split('/');
  const focusTitle = render.lastRoute !== state.route;
  render.lastRoute = state.route;
  try {
    switch (screen) {
      case 'request': await screenRequest(decodeURIComponent(arg)); break;
      case 'meetings': await screenMeetings(); break;
      case 'meeting': await screenMeeting(decodeURIComponent(arg)); break;
      case 'visit': await screenVisit(); break;
      case 'actions': await screenActions(); break;
      case 'plan': await screenPlan(); break;
      case 'breaks': await screenShortBreaks(); break;
      case 'conflicts': await screenConflicts(); break;
      case 'notifications': await screenNotifications(); break;
      case 'changes': await screenChanges(); break;
      default: await screenPlacements();
    }
    shown = 'records';
    if (drafts) restoreDrafts();
    if (focusTitle) document.getElementById('page-title')?.focus();
  } catch (e) {
    if (e.status === 423) { shown = 'records'; forgetRecords(); await refreshState(); shown = 'unlock'; screenUnlock(); return; }
    if (e.status === 401) {
      shown = 'records'; forgetRecords(); forgetSession(); state.app = { nosession: true }; shown = 'nosession'; screenNoSession(); return;
    }
    page('Something went wrong', h('p', { class: 'error' }, e.message));
  }
}

// Keeps the sync bar current, and redraws the page when new records arrived,
// unless the person is in the middle of typing.
async function poll() {
  if (unlocking) return;
  const before = state.app ? `${state.app.locked}|${state.app.last_sync}|${state.app.waiting_to_send}|${state.app.needs_attention}` : '';
  await refreshState();
  const a = state.app;
  // Locked (by the idle timer, another tab or the terminal): the records go at once, typing or not.
  if (a && (a.locked || a.nosession || a.revoked) && shown === 'records') {
    await render();
    return;
  }
  const after = a ? `${a.locked}|${a.last_sync}|${a.waiting_to_send}|${a.needs_attention}` : '';
  const typing = document.querySelector('form[data-dirty]') || (a && a.locked && main.querySelector('input[type=password]'));
  // The screens that show what was just saved keep it until the person moves on.
  const screen = state.route.split('/')[1];
  const holds = (screen === 'visit' || screen === 'request') && a && !a.locked;
  if (before !== after && !typing && !holds) {
    background = true;
    try { await render(); } finally { background = false; }
  }
}

// A new address pasted into this tab: exchange it, keeping what is on the page.
window.addEventListener('hashchange', async () => {
  if (await startSession()) await refreshState();
  render();
});
startSession().then(refreshState).then(render);
setInterval(poll, 2000);
