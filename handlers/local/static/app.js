// The local workspace's page: a small chat client over /api (see handlers/local/web.py).
//
// Rules kept throughout: message bodies arrive as HTML the server rendered and escaped
// (handlers/local/render.py) and are the only thing set with innerHTML; every name, label and
// note is set with textContent. Every action is a POST that the server turns into what Slack
// would send the bot; what the bot does comes back as server-sent events, and the page then
// re-reads the part that changed.
"use strict";

const $ = (selector, root = document) => root.querySelector(selector);
const QUICK_REACTIONS = [["white_check_mark", "✅"], ["raised_hands", "🙌"], ["+1", "👍"]];

const state = {
  viewer: localStorage.getItem("steward.viewer") || "",
  view: { kind: "channel", id: "CGENERAL" }, // or { kind: "dm" } or { kind: "home" }
  thread: null, // { channel, ts }
  workspace: null,
  editing: null, // ts of the message being edited
  paused: false, // between "resetting" and "reset": nothing to read yet
};

// ------------------------------------------------------------------------------ talking to /api

async function api(path, body) {
  const options = body === undefined ? {} : {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  };
  const response = await fetch(path, options);
  let answer = {};
  try { answer = await response.json(); } catch (_) { /* an empty or non-JSON answer */ }
  if (!response.ok) throw new Error(answer.error || `HTTP ${response.status}`);
  return answer;
}

function as(path) {
  return path + (path.includes("?") ? "&" : "?") + "as=" + encodeURIComponent(state.viewer);
}

async function act(path, body) {
  document.body.dataset.busy = "1";
  try {
    return await api(path, { as: state.viewer, ...body });
  } catch (error) {
    toast(error.message);
    throw error;
  } finally {
    delete document.body.dataset.busy;
  }
}

function toast(text) {
  const box = $("#toast");
  box.textContent = text;
  box.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { box.hidden = true; }, 4000);
}

// ------------------------------------------------------------------------------ the workspace

async function loadWorkspace() {
  let ws;
  try {
    ws = await api(as("/api/workspace"));
  } catch (error) {
    toast("The workspace is not answering: " + error.message);
    return;
  }
  // The server picks someone when we have nobody yet, or someone a reset forgot.
  state.viewer = ws.viewer;
  localStorage.setItem("steward.viewer", state.viewer);
  state.workspace = ws;
  renderChrome();
}

function person(id) {
  return (state.workspace.people || []).find((p) => p.id === id);
}

function renderChrome() {
  const ws = state.workspace;
  $("#clock-label").textContent = ws.clock.label + " (" + ws.clock.tz + ")";
  $("#clock-label").title = "Group time: " + ws.clock.group_label + " (" + ws.clock.group_tz + ")";

  const select = $("#as");
  select.replaceChildren(...ws.people.filter((p) => !p.bot).map((p) => {
    const option = document.createElement("option");
    option.value = p.id;
    option.textContent = p.name + (p.note ? " — " + p.note : "");
    option.selected = p.id === state.viewer;
    return option;
  }));

  const channels = $("#channels");
  channels.replaceChildren(...ws.channels.map((c) => {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = "#";
    link.className = "channel-link" + (c.member ? "" : " not-member");
    link.dataset.channel = c.id;
    link.textContent = "# " + c.name;
    if (state.view.kind === "channel" && state.view.id === c.id) link.classList.add("active");
    item.append(link);
    return item;
  }));
  $("#app-home").classList.toggle("active", state.view.kind === "home");
  $("#app-messages").classList.toggle("active", state.view.kind === "dm");

  const people = $("#people");
  people.replaceChildren(...ws.people.filter((p) => !p.bot).map((p) => {
    const item = document.createElement("li");
    item.className = "person" + (p.id === state.viewer ? " me" : "");
    item.dataset.user = p.id;
    const avatar = document.createElement("span");
    avatar.className = "avatar small c" + p.colour;
    avatar.textContent = p.name.slice(0, 1).toUpperCase();
    const name = document.createElement("span");
    name.textContent = p.name;
    const when = document.createElement("span");
    when.className = "muted small";
    when.textContent = " " + p.local_time + " · " + p.tz;
    item.title = p.note || "";
    item.append(avatar, name, when);
    return item;
  }));
}

// ------------------------------------------------------------------------------ the main pane

async function showView() {
  const kind = state.view.kind;
  $("#home-tabs").hidden = kind === "channel";
  for (const tab of document.querySelectorAll("#home-tabs .tab")) {
    tab.classList.toggle("active", (tab.dataset.tab === "home") === (kind === "home"));
  }
  $("#messages").hidden = kind === "home";
  $("#home").hidden = kind !== "home";
  if (kind === "home") {
    $("#composer").hidden = true;
    $("#read-only").hidden = true;
    $("#join-button").hidden = true;
    $("#channel-bar").hidden = true;
    $("#channel-title").textContent = "steward";
    $("#channel-members").textContent = "App Home";
    await loadHome();
  } else {
    await loadChannel();
  }
  renderChrome();
}

function currentChannel() {
  if (state.view.kind === "channel") return state.view.id;
  if (state.view.kind === "dm") return "D" + state.viewer;
  return null;
}

async function loadChannel() {
  const channel = currentChannel();
  if (!channel) return;
  let answer;
  try {
    answer = await api(as("/api/channel/" + encodeURIComponent(channel)));
  } catch (error) {
    state.view = { kind: "channel", id: "CGENERAL" };
    toast(error.message);
    return;
  }
  const info = answer.channel;
  $("#channel-title").textContent = info.dm ? "steward" : "# " + info.name;
  $("#channel-members").textContent = info.dm ? "App · Messages" :
    info.members.length + (info.members.length === 1 ? " member" : " members") + ": " +
    info.members.map((id) => (person(id) || { name: id }).name).join(", ");
  const join = $("#join-button");
  join.hidden = info.dm;
  join.textContent = info.member ? "Leave channel" : "Join channel";
  join.dataset.action = info.member ? "leave" : "join";
  $("#composer").hidden = info.dm || !info.member;
  $("#read-only").hidden = !info.dm;
  renderBar(info);
  $("#composer textarea").placeholder = "Message #" + info.name + " — or /community help";
  renderItems($("#messages"), answer.items, { inThread: false });
}

// The channel's bookmarks and pinned messages, under its name, as Slack shows them.
function renderBar(info) {
  const bar = $("#channel-bar");
  bar.hidden = info.dm;
  if (info.dm) return;
  const marks = $("#bookmarks");
  marks.replaceChildren(...(info.bookmarks || []).map((b) => {
    const chip = document.createElement("span");
    chip.className = "bookmark";
    const link = Object.assign(document.createElement("a"), { textContent: "🔖 " + b.title, target: "_blank", rel: "noopener noreferrer" });
    if (b.link) link.href = b.link;
    link.title = b.link;
    const remove = Object.assign(document.createElement("button"), { type: "button", className: "quiet remove", textContent: "✕", title: "Remove this bookmark" });
    remove.dataset.bookmark = b.id;
    remove.hidden = !info.member;
    chip.append(link, remove);
    return chip;
  }));
  const pins = info.pins || [];
  const details = $("#pins");
  details.hidden = pins.length === 0;
  $("#pins-count").textContent = "📌 " + pins.length + " pinned";
  $("#pins-list").replaceChildren(...pins.map((pin) => {
    const row = document.createElement("div");
    row.className = "pin";
    row.dataset.ts = pin.ts;
    const meta = Object.assign(document.createElement("div"), { className: "muted small", textContent: pin.author + " · " + pin.day + " " + pin.time });
    const content = document.createElement("div");
    content.className = "content";
    content.innerHTML = pin.html; // rendered and escaped by the server
    row.append(meta, content);
    return row;
  }));
  $("#add-bookmark").hidden = !info.member;
}

async function loadThread() {
  const pane = $("#thread-pane");
  if (!state.thread) { pane.hidden = true; return; }
  let answer;
  try {
    answer = await api(as(`/api/thread/${encodeURIComponent(state.thread.channel)}/${encodeURIComponent(state.thread.ts)}`));
  } catch (error) {
    state.thread = null;
    pane.hidden = true;
    return;
  }
  pane.hidden = false;
  const channel = (state.workspace.channels || []).find((c) => c.id === state.thread.channel);
  $("#thread-where").textContent = channel ? "in #" + channel.name : "";
  renderItems($("#thread"), answer.items, { inThread: true });
}

async function loadHome() {
  const answer = await api(as("/api/home"));
  const box = $("#home");
  if (!answer.view) {
    box.replaceChildren(Object.assign(document.createElement("p"), { className: "muted", textContent: "Opening the Home tab…" }));
    return;
  }
  box.innerHTML = answer.view.html; // rendered and escaped by the server
}

// ------------------------------------------------------------------------------ messages

function renderItems(list, items, { inThread }) {
  // Nodes are kept when their message did not change, so a re-read after each notice does not
  // redraw the list (a hovered toolbar or an edit box in progress stays as it is).
  const old = new Map();
  for (const node of list.children) if (node.dataset.key) old.set(node.dataset.key, node);
  const nodes = [];
  let lastDay = null;
  for (const item of items) {
    if (!inThread && item.day !== lastDay) {
      const key = "day:" + item.day;
      const divider = old.get(key) || Object.assign(document.createElement("div"), { className: "day", textContent: item.day });
      divider.dataset.key = key;
      nodes.push(divider);
      lastDay = item.day;
    }
    const key = (item.ephemeral ? "e:" : "m:") + item.ts;
    const signature = JSON.stringify(item) + "|" + state.viewer + "|" + (state.editing === item.ts);
    let node = old.get(key);
    const editing = node && state.editing === item.ts && node.querySelector("form.edit");
    if (!node || (node.signature !== signature && !editing)) {
      node = messageNode(item, inThread);
      node.dataset.key = key;
      node.signature = signature;
    }
    nodes.push(node);
  }
  list.replaceChildren(...nodes);
  if (list.dataset.stick || !list.dataset.seen) list.scrollTop = list.scrollHeight;
  list.dataset.seen = "1";
}

// A list follows new messages unless its reader scrolled up, also when its height changes
// (the composer appears when you join): decided on scrolling, not guessed at each redraw.
function followNewMessages(list) {
  list.dataset.stick = "1";
  list.addEventListener("scroll", () => {
    list.dataset.stick = list.scrollHeight - list.scrollTop - list.clientHeight < 40 ? "1" : "";
  });
  new ResizeObserver(() => { if (list.dataset.stick) list.scrollTop = list.scrollHeight; }).observe(list);
}

function messageNode(item, inThread) {
  const node = document.createElement("div");
  node.className = "msg" + (item.ephemeral ? " ephemeral" : "") + (item.system ? " system" : "") + (item.bot ? " from-bot" : "");
  node.dataset.ts = item.ts;
  node.dataset.channel = item.channel;
  if (item.thread_ts) node.dataset.threadTs = item.thread_ts;

  const avatar = document.createElement("div");
  avatar.className = "avatar c" + item.colour;
  avatar.textContent = item.bot ? "S" : (item.author || "?").slice(0, 1).toUpperCase();

  const body = document.createElement("div");
  body.className = "body";
  const meta = document.createElement("div");
  meta.className = "meta";
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = item.author;
  meta.append(author);
  if (item.bot) meta.append(Object.assign(document.createElement("span"), { className: "badge", textContent: "APP" }));
  meta.append(Object.assign(document.createElement("time"), { textContent: item.time, title: item.day }));
  if (item.edited) meta.append(Object.assign(document.createElement("span"), { className: "muted small", textContent: "(edited)" }));
  if (item.pinned) meta.append(Object.assign(document.createElement("span"), { className: "pinned small", textContent: "📌 Pinned" }));
  body.append(meta);

  if (item.ephemeral) {
    const only = document.createElement("div");
    only.className = "only-you";
    only.textContent = "Only visible to you" + (item.command ? " · " + item.command : "");
    body.append(only);
  }

  const content = document.createElement("div");
  content.className = "content";
  if (state.editing === item.ts && item.mine) {
    content.append(editForm(item));
  } else {
    content.innerHTML = item.html; // rendered and escaped by the server (render.py)
  }
  body.append(content);

  if (item.reactions.length) {
    const row = document.createElement("div");
    row.className = "reactions";
    for (const reaction of item.reactions) {
      const chip = document.createElement("button");
      chip.type = "button";
      chip.className = "reaction" + (reaction.mine ? " mine" : "");
      chip.dataset.reaction = reaction.name;
      chip.dataset.on = reaction.mine ? "" : "1";
      chip.title = reaction.who.join(", ") + " reacted with :" + reaction.name + ":";
      chip.textContent = reaction.emoji + " " + reaction.count;
      row.append(chip);
    }
    body.append(row);
  }

  if (!inThread && item.reply_count) {
    const replies = document.createElement("a");
    replies.href = "#";
    replies.className = "replies-link";
    replies.dataset.ts = item.ts;
    replies.textContent = item.reply_count + (item.reply_count === 1 ? " reply" : " replies") + " · " + item.reply_names.join(", ");
    body.append(replies);
  }
  node.append(avatar, body);

  if (!item.ephemeral && !item.system) node.append(toolbar(item, inThread));
  return node;
}

function toolbar(item, inThread) {
  const bar = document.createElement("div");
  bar.className = "toolbar";
  const button = (label, title, data) => {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = label;
    b.title = title;
    Object.assign(b.dataset, data);
    bar.append(b);
  };
  for (const [name, glyph] of QUICK_REACTIONS) button(glyph, "React with :" + name + ":", { reaction: name, on: "1" });
  const inChannel = currentChannel() && !currentChannel().startsWith("D");
  if (!inThread && !item.thread_ts && inChannel) button("Reply", "Reply in thread", { open: "thread" });
  if (item.mine) button("Edit", "Edit your message", { open: "edit" });
  if (inChannel) {
    // Slack's "More actions": the app's message shortcuts (from manifest.yml), and pinning.
    button("⋯", "More actions", { open: "menu" });
    const menu = document.createElement("div");
    menu.className = "menu";
    menu.setAttribute("role", "menu");
    const entry = (label, title, data) => {
      const b = Object.assign(document.createElement("button"), { type: "button", textContent: label, title });
      b.setAttribute("role", "menuitem");
      Object.assign(b.dataset, data);
      menu.append(b);
    };
    entry(item.pinned ? "Un-pin from channel" : "Pin to channel", "Pinned messages are listed in the channel's header",
          { pin: item.pinned ? "" : "1" });
    entry("Copy link", "The message's link, for /community label <link> <label>", { copy: item.permalink });
    for (const shortcut of state.workspace.shortcuts || []) {
      entry(shortcut.name, "Message shortcut of the steward app", { shortcut: shortcut.callback_id });
    }
    bar.append(menu);
  }
  return bar;
}

function closeMenus(except) {
  for (const bar of document.querySelectorAll(".toolbar.open")) if (bar !== except) bar.classList.remove("open");
}

function editForm(item) {
  const form = document.createElement("form");
  form.className = "edit";
  const area = document.createElement("textarea");
  area.value = item.edit_text || "";
  area.rows = 2;
  const save = Object.assign(document.createElement("button"), { type: "submit", textContent: "Save" });
  const cancel = Object.assign(document.createElement("button"), { type: "button", textContent: "Cancel", className: "quiet" });
  cancel.addEventListener("click", () => { state.editing = null; refresh("channel"); refresh("thread"); });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await act("/api/edit", { channel: item.channel, ts: item.ts, text: area.value });
    state.editing = null;
    refresh("channel");
    refresh("thread");
  });
  form.append(area, save, cancel);
  setTimeout(() => area.focus(), 0);
  return form;
}

// One listener per list: what was clicked says what to do.
async function onListClick(event) {
  const target = event.target;
  const message = target.closest(".msg");
  const channelRef = target.closest(".channel-ref[data-channel]");
  if (channelRef) {
    event.preventDefault();
    openChannel(channelRef.dataset.channel);
    return;
  }
  if (!message) return;
  const channel = message.dataset.channel;
  const ts = message.dataset.ts;
  const button = target.closest("button");
  const link = target.closest("a.replies-link");
  if (link) {
    event.preventDefault();
    openThread(channel, link.dataset.ts);
    return;
  }
  if (!button) return;
  if (button.dataset.actionId !== undefined && button.closest(".content")) {
    // A Block Kit button: a block_actions payload through the real interactivity path.
    if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
    button.disabled = true;
    try {
      await act("/api/press", { channel, ts, action_id: button.dataset.actionId, value: button.dataset.value, block_id: button.dataset.blockId,
                                ephemeral: message.classList.contains("ephemeral") });
    } finally {
      button.disabled = false;
    }
  } else if (button.dataset.reaction) {
    await act("/api/react", { channel, ts, name: button.dataset.reaction, on: Boolean(button.dataset.on) });
  } else if (button.dataset.open === "thread") {
    openThread(channel, ts);
  } else if (button.dataset.open === "edit") {
    state.editing = ts;
    refresh("channel");
    refresh("thread");
  } else if (button.dataset.open === "menu") {
    const bar = button.closest(".toolbar");
    closeMenus(bar);
    bar.classList.remove("up");
    if (bar.classList.toggle("open")) {
      // Open upwards when the list would cut the menu off at its bottom.
      const menu = bar.querySelector(".menu").getBoundingClientRect();
      const list = bar.closest(".messages").getBoundingClientRect();
      if (menu.bottom > list.bottom && menu.top - menu.height - bar.offsetHeight > list.top) bar.classList.add("up");
    }
  } else if (button.dataset.shortcut) {
    closeMenus();
    await act("/api/shortcut", { channel, ts, callback_id: button.dataset.shortcut });
  } else if (button.dataset.copy) {
    closeMenus();
    const link = button.dataset.copy;
    try { await navigator.clipboard.writeText(link); toast("Link copied: " + link); }
    catch (_) { toast("The message's link: " + link); }
  } else if (button.dataset.pin !== undefined) {
    closeMenus();
    await act("/api/pin", { channel, ts, on: Boolean(button.dataset.pin) });
  }
}

// A button on the Home tab or in a modal: block_actions with the view, through the real path.
async function onViewClick(event, surface) {
  const channelRef = event.target.closest(".channel-ref[data-channel]");
  if (channelRef && surface === "home") {
    event.preventDefault();
    openChannel(channelRef.dataset.channel);
    return;
  }
  const button = event.target.closest("button[data-action-id]");
  if (!button) return;
  event.preventDefault();
  if (button.dataset.confirm && !window.confirm(button.dataset.confirm)) return;
  button.disabled = true;
  try {
    await act("/api/view-press", { surface, action_id: button.dataset.actionId, value: button.dataset.value, block_id: button.dataset.blockId });
  } catch (_) { /* shown */ } finally {
    button.disabled = false;
  }
}

// ------------------------------------------------------------------------------ navigation

function openChannel(id) {
  state.view = { kind: "channel", id };
  state.editing = null;
  $("#messages").dataset.seen = "";
  $("#messages").dataset.stick = "1";
  showView();
}

function openThread(channel, ts) {
  state.thread = { channel, ts };
  $("#thread").dataset.seen = "";
  $("#thread").dataset.stick = "1";
  loadThread();
}

async function openApp(tab) {
  if (tab === "home") {
    state.view = { kind: "home" };
    $("#home").replaceChildren();
    await showView();
    await act("/api/home", {}); // app_home_opened: the bot publishes this member's Home tab
  } else {
    state.view = { kind: "dm" };
    $("#messages").dataset.seen = "";
    $("#messages").dataset.stick = "1";
    await showView();
  }
}

// ------------------------------------------------------------------------------ live updates

const pending = new Map();
function refresh(what) {
  if (state.paused || pending.has(what)) return;
  pending.set(what, setTimeout(async () => {
    pending.delete(what);
    try {
      if (what === "workspace") { await loadWorkspace(); }
      else if (what === "channel" && state.view.kind !== "home") { await loadChannel(); }
      else if (what === "thread") { await loadThread(); }
      else if (what === "home" && state.view.kind === "home") { await loadHome(); }
      else if (what === "modal") { await loadModal(); }
    } catch (error) {
      console.warn("refresh", what, error);
    }
  }, 30));
}

function listen() {
  const source = new EventSource("/api/events");
  source.onmessage = (event) => {
    const notice = JSON.parse(event.data);
    if (state.paused && notice.type !== "reset") return; // the workspace is being rebuilt
    const channel = currentChannel();
    const thread = state.thread;
    switch (notice.type) {
      case "message":
        if (notice.channel === channel) refresh("channel");
        if (thread && notice.channel === thread.channel && (notice.thread_ts === thread.ts || notice.ts === thread.ts)) refresh("thread");
        break;
      case "ephemeral":
        if (notice.user !== state.viewer) break;
        if (notice.channel === channel && !notice.thread_ts) refresh("channel");
        if (thread && notice.thread_ts === thread.ts) refresh("thread");
        break;
      case "pins":
        if (notice.channel === channel) refresh("channel");
        break;
      case "members":
      case "clock":
        refresh("workspace");
        refresh("channel");
        break;
      case "home":
        if (notice.user === state.viewer) refresh("home");
        break;
      case "modal":
        if (notice.user === state.viewer) refresh("modal");
        break;
      case "resetting":
        state.paused = true;
        for (const timer of pending.values()) clearTimeout(timer);
        pending.clear();
        break;
      case "reset":
        state.paused = false;
        state.thread = null;
        state.view = { kind: "channel", id: "CGENERAL" };
        loadWorkspace().then(showView).then(loadThread).then(loadModal);
        break;
    }
  };
  source.onopen = () => { refresh("workspace"); refresh("channel"); refresh("thread"); refresh("modal"); };
}

// ------------------------------------------------------------------------------ modals

async function loadModal() {
  const answer = await api(as("/api/modal"));
  const box = $("#modal");
  if (!answer.view) { box.hidden = true; delete box.dataset.viewId; return; }
  const key = answer.view.id + "|" + answer.view.html;
  if (box.dataset.key === key && !box.hidden) return; // the same view: keep what was typed
  box.dataset.key = key;
  box.dataset.viewId = answer.view.id || "";
  $("#modal-title").textContent = answer.view.title;
  $("#modal-back").hidden = answer.view.depth < 2;
  $("#modal-body").innerHTML = answer.view.html; // rendered and escaped by the server
  $("#modal-close").textContent = answer.view.close || "Close";
  $("#modal-submit").textContent = answer.view.submit || "Submit";
  $("#modal-submit").hidden = !answer.view.submit;
  box.hidden = false;
  const first = $("#modal-body .bk-input");
  if (first && first.focus) first.focus();
}

// What was typed or picked, by block and action id; the server shapes it as view.state.values.
function modalValues() {
  const values = {};
  for (const input of document.querySelectorAll("#modal-body .bk-input[data-block-id]")) {
    const block = (values[input.dataset.blockId] ||= {});
    const type = input.dataset.type;
    if (type === "checkboxes") {
      block[input.dataset.actionId] = [...input.querySelectorAll("input:checked")].map((box) => box.value);
    } else if (type === "radio_buttons") {
      const chosen = input.querySelector("input:checked");
      block[input.dataset.actionId] = chosen ? chosen.value : null;
    } else {
      block[input.dataset.actionId] = input.value === "" ? null : input.value;
    }
  }
  return values;
}

// Errors beside their fields, as Slack shows a view_submission's `errors`.
function showErrors(errors) {
  let first = null;
  for (const box of document.querySelectorAll("#modal-body .bk-error")) {
    const said = errors[box.dataset.errorFor];
    box.textContent = said || "";
    box.hidden = !said;
    box.closest(".bk-inputblock").classList.toggle("has-error", Boolean(said));
    if (said && !first) first = box;
  }
  const unplaced = Object.keys(errors).filter((id) => !document.querySelector(`#modal-body .bk-error[data-error-for="${CSS.escape(id)}"]`));
  if (unplaced.length) toast(unplaced.map((id) => errors[id]).join(" "));
  if (first) first.scrollIntoView({ block: "nearest" });
}

// ------------------------------------------------------------------------------ wiring

function send(form, threadTs) {
  const area = form.querySelector("textarea");
  const text = area.value.trim();
  if (!text) return;
  const channel = threadTs ? state.thread.channel : currentChannel();
  area.disabled = true;
  act("/api/post", { channel, text, thread_ts: threadTs || null })
    .then(() => { area.value = ""; })
    .catch(() => {})
    .finally(() => { area.disabled = false; area.focus(); });
}

function wire() {
  followNewMessages($("#messages"));
  followNewMessages($("#thread"));
  $("#messages").addEventListener("click", onListClick);
  $("#thread").addEventListener("click", onListClick);
  $("#home").addEventListener("click", (event) => onViewClick(event, "home"));
  $("#modal-body").addEventListener("click", (event) => onViewClick(event, "modal"));
  document.addEventListener("click", (event) => { if (!event.target.closest(".toolbar")) closeMenus(); });
  $("#bookmarks").addEventListener("click", async (event) => {
    const remove = event.target.closest("button[data-bookmark]");
    if (remove) await act("/api/bookmark", { channel: currentChannel(), remove: remove.dataset.bookmark }).catch(() => {});
  });
  $("#add-bookmark-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const answer = await act("/api/bookmark", { channel: currentChannel(), title: data.get("title"), link: data.get("link") }).catch(() => null);
    if (!answer) return;
    event.target.reset();
    $("#add-bookmark").open = false;
  });
  $("#channels").addEventListener("click", (event) => {
    const link = event.target.closest(".channel-link");
    if (!link) return;
    event.preventDefault();
    openChannel(link.dataset.channel);
  });
  for (const link of document.querySelectorAll(".app-link, #home-tabs .tab")) {
    link.addEventListener("click", (event) => { event.preventDefault(); openApp(link.dataset.tab); });
  }
  $("#as").addEventListener("change", (event) => {
    state.viewer = event.target.value;
    localStorage.setItem("steward.viewer", state.viewer);
    state.editing = null;
    if (state.view.kind === "home") openApp("home");
    refresh("workspace");
    refresh("channel");
    refresh("thread");
    refresh("modal");
  });
  for (const button of document.querySelectorAll("button.step")) {
    button.addEventListener("click", async () => {
      for (const b of document.querySelectorAll("button.step")) b.disabled = true;
      try { await act("/api/clock", { step: button.dataset.step }); } catch (_) { /* shown */ }
      finally { for (const b of document.querySelectorAll("button.step")) b.disabled = false; }
    });
  }
  $("#reset").addEventListener("click", async () => {
    if (window.confirm("Start the local workspace over? Everything that happened here is forgotten.")) await act("/api/reset", {});
  });
  $("#join-button").addEventListener("click", async (event) => {
    await act("/api/" + event.target.dataset.action, { channel: currentChannel() });
  });
  for (const [form, inThread] of [[$("#composer"), false], [$("#thread-composer"), true]]) {
    form.addEventListener("submit", (event) => { event.preventDefault(); send(form, inThread ? state.thread.ts : null); });
    form.querySelector("textarea").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        send(form, inThread ? state.thread.ts : null);
      }
    });
  }
  $("#thread-close").addEventListener("click", () => { state.thread = null; loadThread(); });
  $("#add-person-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const answer = await act("/api/people", { name: data.get("name"), tz: data.get("tz") }).catch(() => null);
    if (!answer) return;
    event.target.reset();
    $("#add-person").open = false;
    state.viewer = answer.id; // post as the newcomer right away
    localStorage.setItem("steward.viewer", state.viewer);
    await loadWorkspace();
    await showView();
  });
  $("#add-channel-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    const answer = await act("/api/channels", { name: data.get("name") }).catch(() => null);
    if (!answer) return;
    event.target.reset();
    $("#add-channel").open = false;
    await loadWorkspace();
    openChannel(answer.id);
  });
  $("#modal-close").addEventListener("click", () => act("/api/modal", { close: true }).catch(() => {}));
  $("#modal-back").addEventListener("click", () => act("/api/modal", { close: true }).catch(() => {}));
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    if (!$("#modal").hidden) act("/api/modal", { close: true }).catch(() => {});
    else closeMenus();
  });
  $("#modal-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = $("#modal-submit");
    submit.disabled = true;
    try {
      const answer = await act("/api/modal", { values: modalValues() }).catch(() => null);
      showErrors((answer && answer.errors) || {});
    } finally {
      submit.disabled = false;
    }
  });
  setInterval(() => refresh("workspace"), 30000); // the clock runs in real time too
}

async function start() {
  wire();
  await loadWorkspace();
  await showView();
  await loadModal().catch(() => {}); // a form the bot opened before this page was (re)loaded
  listen();
  document.body.dataset.ready = "1";
}

start();
