// The playground page: act as a persona, chat with the bot through the emulator's control API.
// Untrusted text (anything from the bot or users) only ever becomes text nodes or attribute
// values of elements built here; innerHTML is never used.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);

  const state = {
    bot: null, // the bot's User object
    personas: [],
    groups: [],
    users: new Map(), // user id -> User
    chatInfo: new Map(), // chat id -> state from /control/chats/{id}
    personaId: null,
    chatId: null,
    chats: new Map(), // chat id -> {loaded, messages: Map, notes: [], unread}
    seq: 0,
    replyTo: null, // message being replied to
    inline: null, // {token, queryId, query, results, nextOffset, button}
    inlineToken: 0,
    inlineTimer: null,
    typingTimer: null,
    pressing: new Map(), // callback query id -> button element
    hiddenKeyboards: new Set(),
    texts: {}, // the page's words from the server (bot/words/texts.py)
  };

  // ------------------------------------------------------------------ small helpers

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "class") el.className = value;
      else if (key === "text") el.textContent = value;
      else if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : String(child));
    }
    return el;
  }

  async function api(method, path, body) {
    const init = { method, headers: {} };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(path, init);
    let data = {};
    try {
      data = await response.json();
    } catch (_) {
      data = {};
    }
    if (!response.ok) throw new Error(data.error || `HTTP ${response.status}`);
    return data;
  }

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  function chatState(chatId) {
    let chat = state.chats.get(chatId);
    if (!chat) {
      chat = { loaded: false, messages: new Map(), notes: [], unread: 0 };
      state.chats.set(chatId, chat);
    }
    return chat;
  }

  function isGroup(chatId) {
    return chatId < 0;
  }

  function botUsername() {
    return state.bot ? state.bot.username : "bot";
  }

  function userName(user) {
    if (!user) return "?";
    if (state.bot && user.id === state.bot.id) return state.bot.first_name;
    const known = state.users.get(user.id);
    const u = known || user;
    return [u.first_name, u.last_name].filter(Boolean).join(" ");
  }

  function messageSummary(msg) {
    if (msg.text) return msg.text;
    if (msg.caption) return msg.caption;
    if (msg.photo) return "[图片]";
    if (msg.document) return `[文件] ${msg.document.file_name || ""}`;
    return "[消息]";
  }

  function formatTime(date) {
    const d = new Date(date * 1000);
    return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  }

  function formatSize(bytes) {
    if (bytes === undefined || bytes === null) return "";
    if (bytes < 1024) return `${bytes} B`;
    if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
    return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  }

  function safeUrl(url) {
    try {
      const parsed = new URL(url, window.location.href);
      if (["http:", "https:", "tg:", "mailto:"].includes(parsed.protocol)) return parsed.href;
    } catch (_) {
      // not a URL
    }
    return null;
  }

  let toastTimer = null;
  function showToast(text, alert = false) {
    const toast = $("toast");
    toast.textContent = text;
    toast.classList.toggle("alert", alert);
    toast.hidden = false;
    clearTimeout(toastTimer);
    if (!alert) toastTimer = setTimeout(() => (toast.hidden = true), 2500);
  }

  // ------------------------------------------------------------------ entities -> DOM

  function renderText(text, entities) {
    const frag = document.createDocumentFragment();
    const list = (entities || [])
      .filter((e) => e.length > 0)
      .slice()
      .sort((a, b) => a.offset - b.offset || b.length - a.length);
    build(frag, text, 0, text.length, list);
    return frag;
  }

  // Offsets are UTF-16 code units, which is exactly how JavaScript strings index.
  function build(parent, text, start, end, list) {
    let pos = start;
    let i = 0;
    while (i < list.length) {
      const e = list[i];
      if (e.offset < pos || e.offset >= end) {
        i += 1;
        continue;
      }
      if (e.offset > pos) parent.append(text.slice(pos, e.offset));
      const entityEnd = Math.min(e.offset + e.length, end);
      const inner = [];
      let j = i + 1;
      while (j < list.length && list[j].offset < entityEnd) {
        inner.push(list[j]);
        j += 1;
      }
      const [outer, host] = entityElement(e, text.slice(e.offset, entityEnd));
      build(host, text, e.offset, entityEnd, inner);
      parent.append(outer);
      pos = entityEnd;
      i = j;
    }
    if (pos < end) parent.append(text.slice(pos, end));
  }

  function entityElement(entity, covered) {
    const simple = {
      bold: "b",
      italic: "i",
      underline: "u",
      strikethrough: "s",
      code: "code",
      blockquote: "blockquote",
      expandable_blockquote: "blockquote",
    };
    if (simple[entity.type]) {
      const el = h(simple[entity.type]);
      return [el, el];
    }
    switch (entity.type) {
      case "pre": {
        const code = h("code", { "data-language": entity.language || null });
        return [h("pre", {}, code), code];
      }
      case "spoiler": {
        const el = h("span", {
          class: "spoiler",
          title: "点击显示",
          onclick: (ev) => ev.currentTarget.classList.add("revealed"),
        });
        return [el, el];
      }
      case "text_link":
      case "url":
      case "email": {
        let target = entity.type === "text_link" ? entity.url : covered;
        if (entity.type === "email") target = `mailto:${covered}`;
        else if (entity.type === "url" && !/^[a-z]+:\/\//i.test(target)) target = `http://${target}`;
        const href = safeUrl(target);
        const el = href
          ? h("a", { href, target: "_blank", rel: "noopener noreferrer", title: href })
          : h("span");
        return [el, el];
      }
      case "bot_command": {
        const el = h("span", {
          class: "command",
          title: "点击发送此命令",
          onclick: () => sendText(covered),
        });
        return [el, el];
      }
      case "mention":
      case "text_mention": {
        const el = h("span", { class: "mention" });
        return [el, el];
      }
      case "hashtag":
      case "cashtag": {
        const el = h("span", { class: "hashtag" });
        return [el, el];
      }
      default: {
        const el = h("span");
        return [el, el];
      }
    }
  }

  // ------------------------------------------------------------------ rendering

  function renderChatList() {
    const list = $("chat-list");
    list.replaceChildren();
    const entries = [];
    if (state.personaId !== null) {
      entries.push({
        id: state.personaId,
        title: `与 ${state.bot.first_name} 私聊`,
        avatar: state.bot.first_name.slice(0, 1),
        group: false,
      });
    }
    for (const g of state.groups) {
      entries.push({ id: g.chat_id, title: g.title, avatar: g.title.slice(0, 1), group: true });
    }
    for (const entry of entries) {
      const chat = chatState(entry.id);
      const item = h(
        "button",
        {
          type: "button",
          class: `chat-item${entry.group ? " group" : ""}${entry.id === state.chatId ? " active" : ""}`,
          "data-testid": "chat-item",
          "data-chat-id": entry.id,
          "data-chat-type": entry.group ? "group" : "private",
          onclick: () => selectChat(entry.id),
        },
        h("span", { class: "avatar", text: entry.avatar }),
        h("span", { class: "chat-name", text: entry.title }),
        chat.unread > 0 && entry.id !== state.chatId
          ? h("span", { class: "badge", "data-testid": "unread-badge", text: chat.unread })
          : null,
      );
      list.append(item);
    }
  }

  function renderHeader() {
    if (state.chatId === null) return;
    const title = $("chat-title");
    const subtitle = $("chat-subtitle");
    subtitle.classList.remove("typing");
    if (isGroup(state.chatId)) {
      const group = state.groups.find((g) => g.chat_id === state.chatId);
      const info = state.chatInfo.get(state.chatId);
      title.textContent = group ? group.title : String(state.chatId);
      const members = info ? info.members.filter((m) => !["left", "kicked"].includes(m.status)).length : 0;
      subtitle.textContent = `${members} 位成员 · 机器人只收到 /命令、@${botUsername()} 和对它的回复`;
    } else {
      title.textContent = state.bot.first_name;
      subtitle.textContent = `机器人 @${botUsername()}`;
    }
  }

  function renderMessages() {
    const box = $("messages");
    box.replaceChildren();
    const chat = chatState(state.chatId);
    const sorted = [...chat.messages.values()].sort((a, b) => a.message_id - b.message_id);
    if (sorted.length === 0 && chat.notes.length === 0) {
      box.append(
        h("div", {
          class: "empty-note",
          "data-testid": "empty-note",
          text: isGroup(state.chatId)
            ? `群里还没有消息。试试发送 /start 或 @${botUsername()} 加问题。`
            : "还没有消息。发送 /start 开始。",
        }),
      );
      return;
    }
    let noteIndex = 0;
    const notes = chat.notes.slice().sort((a, b) => a.afterId - b.afterId);
    for (const msg of sorted) {
      while (noteIndex < notes.length && notes[noteIndex].afterId < msg.message_id) {
        box.append(noteElement(notes[noteIndex]));
        noteIndex += 1;
      }
      box.append(messageElement(msg));
    }
    while (noteIndex < notes.length) {
      box.append(noteElement(notes[noteIndex]));
      noteIndex += 1;
    }
    box.scrollTop = box.scrollHeight;
  }

  function noteElement(note) {
    return h("div", {
      class: `system-line${note.error ? " error" : ""}`,
      "data-testid": note.error ? "api-error" : "system-line",
      text: note.text,
    });
  }

  function messageElement(msg) {
    const fromBot = state.bot && msg.from && msg.from.id === state.bot.id;
    const mine = !fromBot && msg.from && msg.from.id === state.personaId;
    const el = h("div", {
      class: `msg${mine ? " mine" : ""}${fromBot ? " bot" : ""}`,
      "data-testid": "message",
      "data-message-id": msg.message_id,
      "data-from": fromBot ? "bot" : mine ? "me" : "user",
      id: `msg-${msg.chat.id}-${msg.message_id}`,
    });

    const showSender = isGroup(msg.chat.id) ? !mine : Boolean(msg.via_bot);
    if (showSender) {
      el.append(
        h(
          "div",
          { class: `msg-sender${fromBot ? " bot" : ""}`, "data-testid": "message-sender" },
          userName(msg.from),
          msg.via_bot ? h("span", { class: "msg-via", text: ` 通过 @${msg.via_bot.username}` }) : null,
        ),
      );
    } else if (msg.via_bot) {
      el.append(
        h("div", {
          class: "msg-sender msg-via",
          "data-testid": "message-sender",
          text: `通过 @${msg.via_bot.username}`,
        }),
      );
    }

    if (msg.reply_to_message) {
      const quoted = msg.reply_to_message;
      el.append(
        h(
          "div",
          {
            class: "msg-quote",
            "data-testid": "message-quote",
            onclick: () => flashMessage(quoted.chat.id, quoted.message_id),
          },
          h("div", { class: "msg-quote-name", text: userName(quoted.from) }),
          h("div", { class: "msg-quote-text", text: messageSummary(quoted) }),
        ),
      );
    }

    if (msg.photo && msg.photo.length) {
      const best = msg.photo[msg.photo.length - 1];
      el.append(
        h(
          "div",
          { class: "msg-media" },
          h("img", {
            class: "msg-photo",
            "data-testid": "message-photo",
            src: `/control/files/${encodeURIComponent(best.file_id)}`,
            alt: "图片",
            loading: "lazy",
          }),
        ),
      );
    }
    if (msg.document) {
      const doc = msg.document;
      const name = doc.file_name || "文件";
      const ext = name.includes(".") ? name.split(".").pop().slice(0, 4).toUpperCase() : "FILE";
      el.append(
        h(
          "a",
          {
            class: "msg-document msg-media",
            "data-testid": "message-document",
            href: `/control/files/${encodeURIComponent(doc.file_id)}?download=1`,
            download: name,
          },
          h("span", { class: "doc-icon", text: ext }),
          h(
            "span",
            {},
            h("div", { class: "doc-name", text: name }),
            h("div", { class: "doc-size", text: formatSize(doc.file_size) }),
          ),
        ),
      );
    }

    const text = msg.text !== undefined ? msg.text : msg.caption;
    const entities = msg.text !== undefined ? msg.entities : msg.caption_entities;
    if (text) {
      const body = h("div", { class: "msg-text", "data-testid": "message-text" });
      body.append(renderText(text, entities));
      el.append(body);
    }

    const keyboard = msg.reply_markup && msg.reply_markup.inline_keyboard;
    if (keyboard && keyboard.length) el.append(inlineKeyboardElement(msg, keyboard));

    el.append(
      h(
        "div",
        { class: "msg-meta" },
        msg.edit_date ? h("span", { "data-testid": "edited-mark", text: "已编辑" }) : null,
        h("time", { text: formatTime(msg.date) }),
        h("button", {
          type: "button",
          class: "link-button",
          "data-testid": "reply-action",
          text: "回复",
          onclick: () => startReply(msg),
        }),
      ),
    );
    const chat = chatState(msg.chat.id);
    const note = chat.notes.find((n) => n.forMessage === msg.message_id);
    if (note) el.append(h("div", { class: "msg-note", "data-testid": "message-note", text: note.text }));
    return el;
  }

  function inlineKeyboardElement(msg, rows) {
    return h(
      "div",
      { class: "keyboard", "data-testid": "inline-keyboard" },
      rows.map((row) =>
        h(
          "div",
          { class: "keyboard-row" },
          row.map((button) =>
            h("button", {
              type: "button",
              class: `keyboard-button${button.url ? " url" : ""}`,
              "data-testid": "inline-button",
              "data-callback-data": button.callback_data || null,
              title: button.url || null,
              text: button.text,
              onclick: (ev) => pressInlineButton(msg, button, ev.currentTarget),
            }),
          ),
        ),
      ),
    );
  }

  function renderReplyKeyboard() {
    const box = $("reply-keyboard");
    const info = state.chatInfo.get(state.chatId);
    const markup = info && info.reply_keyboard;
    if (!markup || state.hiddenKeyboards.has(state.chatId)) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    box.replaceChildren(
      ...markup.keyboard.map((row) =>
        h(
          "div",
          { class: "keyboard-row" },
          row.map((button) => {
            const label = typeof button === "string" ? button : button.text;
            return h("button", {
              type: "button",
              class: "keyboard-button",
              "data-testid": "reply-keyboard-button",
              text: label,
              onclick: () => {
                if (markup.one_time_keyboard) state.hiddenKeyboards.add(state.chatId);
                sendText(label);
              },
            });
          }),
        ),
      ),
    );
    box.hidden = false;
  }

  function isNearBottom(box) {
    return box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  }

  function upsertMessage(msg, { flash = false } = {}) {
    const chatId = msg.chat.id;
    const chat = chatState(chatId);
    const isNew = !chat.messages.has(msg.message_id);
    chat.messages.set(msg.message_id, msg);
    if (chatId !== state.chatId) {
      if (isNew && isRelevantChat(chatId)) {
        chat.unread += 1;
        renderChatList();
      }
      return;
    }
    const box = $("messages");
    const existing = document.getElementById(`msg-${chatId}-${msg.message_id}`);
    const element = messageElement(msg);
    if (existing) {
      existing.replaceWith(element);
    } else {
      const stick = isNearBottom(box) || (msg.from && msg.from.id === state.personaId);
      const empty = box.querySelector(".empty-note");
      if (empty) empty.remove();
      box.append(element);
      if (stick) box.scrollTop = box.scrollHeight;
    }
    if (flash) {
      element.classList.add("flash");
    }
  }

  function removeMessage(chatId, messageId) {
    const chat = chatState(chatId);
    chat.messages.delete(messageId);
    const existing = document.getElementById(`msg-${chatId}-${messageId}`);
    if (existing) existing.remove();
    if (state.replyTo && state.replyTo.chat.id === chatId && state.replyTo.message_id === messageId) {
      cancelReply();
    }
  }

  function addNote(chatId, note) {
    const chat = chatState(chatId);
    const ids = [...chat.messages.keys()];
    note.afterId = ids.length ? Math.max(...ids) : 0;
    chat.notes.push(note);
    if (chatId === state.chatId) {
      const box = $("messages");
      if (note.forMessage !== undefined) {
        const msg = chat.messages.get(note.forMessage);
        if (msg) upsertMessage(msg);
        return;
      }
      const empty = box.querySelector(".empty-note");
      if (empty) empty.remove();
      box.append(noteElement(note));
      box.scrollTop = box.scrollHeight;
    }
  }

  function flashMessage(chatId, messageId) {
    const el = document.getElementById(`msg-${chatId}-${messageId}`);
    if (!el) return;
    el.scrollIntoView({ block: "center", behavior: "smooth" });
    el.classList.remove("flash");
    void el.offsetWidth; // restart the animation
    el.classList.add("flash");
  }

  function isRelevantChat(chatId) {
    return chatId === state.personaId || state.groups.some((g) => g.chat_id === chatId);
  }

  // ------------------------------------------------------------------ selection

  function selectPersona(personaId) {
    const wasPrivate = state.chatId === state.personaId;
    state.personaId = personaId;
    localStorage.setItem("playground.persona", String(personaId));
    const persona = state.personas.find((p) => p.user_id === personaId);
    $("persona-desc").textContent = persona ? persona.description : "";
    $("persona").value = String(personaId);
    cancelReply();
    closeInline();
    if (state.chatId === null || wasPrivate) selectChat(personaId);
    else {
      renderChatList();
      renderMessages(); // "mine" depends on the persona
    }
  }

  async function selectChat(chatId) {
    state.chatId = chatId;
    localStorage.setItem("playground.chat", String(chatId));
    const chat = chatState(chatId);
    chat.unread = 0;
    cancelReply();
    closeInline();
    closeCommands();
    renderChatList();
    renderHeader();
    if (!chat.loaded) {
      try {
        const data = await api("GET", `/control/chats/${chatId}/messages`);
        for (const msg of data.messages) chat.messages.set(msg.message_id, msg);
        chat.loaded = true;
      } catch (err) {
        showToast(`加载消息失败：${err.message}`);
      }
    }
    if (state.chatId !== chatId) return;
    renderMessages();
    await refreshChatInfo();
  }

  let infoTimer = null;
  function scheduleChatInfo() {
    clearTimeout(infoTimer);
    infoTimer = setTimeout(refreshChatInfo, 150);
  }

  async function refreshChatInfo() {
    const chatId = state.chatId;
    try {
      const info = await api("GET", `/control/chats/${chatId}`);
      state.chatInfo.set(chatId, info);
      if (chatId === state.chatId) {
        renderHeader();
        renderReplyKeyboard();
      }
    } catch (_) {
      // the header keeps its previous content
    }
  }

  // ------------------------------------------------------------------ actions

  function startReply(msg) {
    state.replyTo = msg;
    $("reply-quote").textContent = `${userName(msg.from)}：${messageSummary(msg)}`;
    $("reply-bar").hidden = false;
    $("input").focus();
  }

  function cancelReply() {
    state.replyTo = null;
    $("reply-bar").hidden = true;
  }

  async function sendText(text) {
    text = text.trim();
    if (!text || state.chatId === null) return false;
    const chatId = state.chatId;
    const body = { user_id: state.personaId, chat_id: chatId, text };
    if (state.replyTo && state.replyTo.chat.id === chatId) {
      body.reply_to_message_id = state.replyTo.message_id;
    }
    try {
      const data = await api("POST", "/control/messages", body);
      cancelReply();
      upsertMessage(data.message);
      if (!data.delivered && isGroup(chatId)) {
        addNote(chatId, {
          forMessage: data.message.message_id,
          text: `机器人没有收到这条消息（群隐私模式）：请用 /命令、@${botUsername()} 或“回复”机器人的消息。`,
        });
      }
      return true;
    } catch (err) {
      showToast(`发送失败：${err.message}`);
      return false;
    }
  }

  // A file the persona sends (an import file): read here, sent to the emulator as base64.
  // The emulator keeps up to 50 MB, so the bot's own size check can be tried.
  const MAX_ATTACH_BYTES = 50 * 1024 * 1024;

  function toBase64(buffer) {
    const bytes = new Uint8Array(buffer);
    let binary = "";
    for (let i = 0; i < bytes.length; i += 0x8000) {
      binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(binary);
  }

  async function sendFile(file) {
    if (!file || state.chatId === null) return;
    if (file.size === 0) {
      showToast("文件是空的");
      return;
    }
    if (file.size > MAX_ATTACH_BYTES) {
      showToast("文件超过 50 MB，试用台无法发送");
      return;
    }
    const caption = $("input").value.trim();
    const body = {
      user_id: state.personaId,
      chat_id: state.chatId,
      filename: file.name,
      content: toBase64(await file.arrayBuffer()),
      caption: caption || null,
      mime_type: file.type || null,
    };
    try {
      const data = await api("POST", "/control/documents", body);
      if (caption) {
        $("input").value = "";
        onInput();
      }
      upsertMessage(data.message);
    } catch (err) {
      showToast(`发送失败：${err.message}`);
    }
  }

  async function pressInlineButton(msg, button, element) {
    if (button.url) {
      const href = safeUrl(button.url);
      if (href) window.open(href, "_blank", "noopener");
      return;
    }
    if (button.switch_inline_query_current_chat !== undefined || button.switch_inline_query !== undefined) {
      const query = button.switch_inline_query_current_chat ?? button.switch_inline_query ?? "";
      const input = $("input");
      input.value = `@${botUsername()} ${query}`;
      input.focus();
      onInput();
      return;
    }
    if (button.copy_text) {
      try {
        await navigator.clipboard.writeText(button.copy_text.text);
        showToast("已复制");
      } catch (_) {
        showToast(button.copy_text.text);
      }
      return;
    }
    if (button.callback_data === undefined) {
      showToast("试用台不支持这种按钮");
      return;
    }
    element.disabled = true;
    try {
      const data = await api("POST", "/control/press", {
        user_id: state.personaId,
        chat_id: msg.chat.id,
        message_id: msg.message_id,
        data: button.callback_data,
      });
      state.pressing.set(data.callback_query_id, element);
      setTimeout(() => {
        if (state.pressing.get(data.callback_query_id) === element) {
          state.pressing.delete(data.callback_query_id);
          element.disabled = false;
        }
      }, 5000);
    } catch (err) {
      element.disabled = false;
      showToast(`按钮无效：${err.message}`);
    }
  }

  // ------------------------------------------------------------------ inline mode

  function inlineQueryOf(text) {
    const prefix = `@${botUsername()}`;
    if (text.length < prefix.length + 1) return null;
    if (text.slice(0, prefix.length).toLowerCase() !== prefix.toLowerCase()) return null;
    const rest = text.slice(prefix.length);
    if (!/^\s/.test(rest)) return null;
    return rest.replace(/^\s/, "");
  }

  function onInput() {
    const input = $("input");
    input.style.height = "auto";
    input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
    const query = inlineQueryOf(input.value);
    clearTimeout(state.inlineTimer);
    if (query === null) {
      closeInline();
      return;
    }
    state.inlineTimer = setTimeout(() => runInlineQuery(query, ""), 350);
  }

  async function runInlineQuery(query, offset) {
    const token = ++state.inlineToken;
    const panel = $("inline-panel");
    if (!offset) {
      panel.replaceChildren(h("div", { class: "inline-status", text: "正在查询…" }));
      panel.hidden = false;
    }
    try {
      const started = await api("POST", "/control/inline_queries", {
        user_id: state.personaId,
        chat_id: state.chatId,
        query,
        offset,
      });
      const data = await api("GET", `/control/inline_queries/${started.inline_query_id}?timeout=10`);
      if (token !== state.inlineToken) return;
      const previous = offset && state.inline ? state.inline.results : [];
      state.inline = {
        queryId: started.inline_query_id,
        query,
        results: previous.concat(data.answer.results.map((r) => ({ ...r, queryId: started.inline_query_id }))),
        nextOffset: data.answer.next_offset,
        button: data.answer.button,
      };
      renderInline();
    } catch (err) {
      if (token !== state.inlineToken) return;
      panel.replaceChildren(h("div", { class: "inline-status", text: `机器人没有回应内联查询：${err.message}` }));
      panel.hidden = false;
    }
  }

  function renderInline() {
    const panel = $("inline-panel");
    const inline = state.inline;
    const children = [];
    if (inline.button && inline.button.start_parameter) {
      children.push(
        h("button", {
          type: "button",
          class: "inline-switch",
          "data-testid": "inline-switch-pm",
          text: inline.button.text,
          onclick: async () => {
            closeInline();
            $("input").value = "";
            await selectChat(state.personaId);
            await sendText(`/start ${inline.button.start_parameter}`);
          },
        }),
      );
    }
    if (inline.results.length === 0) {
      children.push(h("div", { class: "inline-status", "data-testid": "inline-empty", text: "没有结果" }));
    }
    for (const result of inline.results) {
      children.push(
        h(
          "button",
          {
            type: "button",
            class: "inline-result",
            "data-testid": "inline-result",
            "data-result-id": result.id,
            onclick: () => chooseInlineResult(result),
          },
          h("div", { class: "inline-result-title", text: result.title || result.type }),
          result.description ? h("div", { class: "inline-result-desc", text: result.description }) : null,
        ),
      );
    }
    if (inline.nextOffset) {
      children.push(
        h("button", {
          type: "button",
          class: "inline-more",
          "data-testid": "inline-more",
          text: "加载更多",
          onclick: () => runInlineQuery(inline.query, inline.nextOffset),
        }),
      );
    }
    panel.replaceChildren(...children);
    panel.hidden = false;
  }

  async function chooseInlineResult(result) {
    try {
      const data = await api("POST", `/control/inline_queries/${result.queryId}/choose`, {
        result_id: result.id,
        chat_id: state.chatId,
        user_id: state.personaId,
      });
      $("input").value = "";
      onInput();
      closeInline();
      upsertMessage(data.message);
    } catch (err) {
      showToast(`发送失败：${err.message}`);
    }
  }

  function closeInline() {
    state.inlineToken += 1;
    state.inline = null;
    $("inline-panel").hidden = true;
    $("inline-panel").replaceChildren();
  }

  // ------------------------------------------------------------------ command menu

  function closeCommands() {
    $("commands-menu").hidden = true;
  }

  async function toggleCommands() {
    const menu = $("commands-menu");
    if (!menu.hidden) {
      closeCommands();
      return;
    }
    let commands = [];
    try {
      commands = (await api("GET", `/control/commands?chat_id=${state.chatId}`)).commands;
    } catch (_) {
      commands = [];
    }
    const suffix = isGroup(state.chatId) ? `@${botUsername()}` : "";
    menu.replaceChildren(
      ...(commands.length
        ? commands.map((c) =>
            h(
              "button",
              {
                type: "button",
                class: "command-item",
                "data-testid": "command-item",
                onclick: () => {
                  closeCommands();
                  sendText(`/${c.command}${suffix}`);
                },
              },
              h("span", { class: "command-name", text: `/${c.command}` }),
              h("span", { class: "command-desc", text: c.description }),
            ),
          )
        : [h("div", { class: "inline-status", text: "机器人没有设置命令菜单" })]),
    );
    menu.hidden = false;
  }

  // ------------------------------------------------------------------ events

  function handleEvent(event) {
    switch (event.type) {
      case "message":
        upsertMessage(event.message);
        if (event.from_bot && event.chat_id === state.chatId) {
          stopTyping();
          scheduleChatInfo();
        }
        break;
      case "edited":
        upsertMessage(event.message, { flash: true });
        break;
      case "deleted":
        removeMessage(event.chat_id, event.message_id);
        break;
      case "chat_action":
        if (event.chat_id === state.chatId) showTyping(event.action);
        break;
      case "callback_answer": {
        const element = state.pressing.get(event.callback_query_id);
        if (element) {
          element.disabled = false;
          state.pressing.delete(event.callback_query_id);
        }
        if (event.user_id === state.personaId && event.answer) {
          if (event.answer.text) showToast(event.answer.text, event.answer.show_alert);
          if (event.answer.url) {
            const href = safeUrl(event.answer.url);
            if (href) window.open(href, "_blank", "noopener");
          }
        }
        break;
      }
      case "api_error": {
        const chatId = event.chat_id ?? state.chatId;
        if (chatId !== null && isRelevantChat(Number(chatId))) {
          addNote(Number(chatId), {
            error: true,
            text: `机器人请求出错：${event.method} → ${event.error_code} ${event.description}`,
          });
        }
        break;
      }
      case "reset":
        reloadAll();
        break;
      default:
        break;
    }
  }

  function showTyping(action) {
    const subtitle = $("chat-subtitle");
    subtitle.textContent = action === "upload_document" ? "正在发送文件…" : "正在输入…";
    subtitle.classList.add("typing");
    clearTimeout(state.typingTimer);
    state.typingTimer = setTimeout(stopTyping, 5000);
  }

  function stopTyping() {
    clearTimeout(state.typingTimer);
    if ($("chat-subtitle").classList.contains("typing")) renderHeader();
  }

  async function resetDemo() {
    const words = state.texts;
    if (!window.confirm(words.reset_confirm)) return;
    const button = $("reset-demo");
    button.disabled = true;
    try {
      await api("POST", "/playground/reset");
      showToast(words.reset_done);
    } catch (err) {
      showToast(words.reset_failed.replace("{reason}", err.message), true);
    } finally {
      button.disabled = false;
    }
  }

  function setConnected(ok) {
    const el = $("connection");
    el.textContent = ok ? "● 已连接" : "● 连接中断，正在重试…";
    el.classList.toggle("down", !ok);
  }

  async function pollEvents() {
    for (;;) {
      try {
        const data = await api("GET", `/control/events?since=${state.seq}&timeout=25`);
        setConnected(true);
        if (data.seq < state.seq) {
          // The server restarted: start over.
          await reloadAll();
          continue;
        }
        for (const event of data.events) {
          state.seq = Math.max(state.seq, event.seq);
          handleEvent(event);
        }
      } catch (_) {
        setConnected(false);
        await sleep(1500);
      }
    }
  }

  // ------------------------------------------------------------------ start-up

  async function reloadAll() {
    const [config, serverState] = await Promise.all([
      api("GET", "/playground/config"),
      api("GET", "/control/state"),
    ]);
    state.bot = config.bot;
    state.personas = config.personas;
    state.groups = config.groups;
    state.texts = config.texts || {};
    const reset = $("reset-demo");
    reset.hidden = !config.reset;
    reset.textContent = state.texts.reset_button || "";
    state.users = new Map(serverState.users.map((u) => [u.id, u]));
    state.chats = new Map();
    state.seq = serverState.seq;
    $("bot-name").textContent = `${config.bot.first_name} @${config.bot.username}`;
    for (const el of document.querySelectorAll(".bot-at")) el.textContent = `@${config.bot.username} 关键词`;
    $("input").placeholder =
      window.innerWidth < 720 ? "输入消息…" : `输入消息…  或输入 @${config.bot.username} 关键词 进行内联查询`;

    const select = $("persona");
    select.replaceChildren(
      ...state.personas.map((p) => h("option", { value: p.user_id, text: p.name })),
    );
    const savedPersona = Number(localStorage.getItem("playground.persona"));
    const personaId = state.personas.some((p) => p.user_id === savedPersona)
      ? savedPersona
      : state.personas[0].user_id;
    const savedChat = Number(localStorage.getItem("playground.chat"));
    state.personaId = personaId;
    state.chatId = null;
    selectPersona(personaId);
    if (state.groups.some((g) => g.chat_id === savedChat)) await selectChat(savedChat);
  }

  function wire() {
    $("persona").addEventListener("change", (ev) => selectPersona(Number(ev.target.value)));
    $("composer").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const input = $("input");
      const text = input.value;
      if (!text.trim()) return;
      input.value = "";
      onInput();
      const ok = await sendText(text);
      if (!ok) input.value = text;
    });
    $("input").addEventListener("keydown", (ev) => {
      // isComposing: Enter that confirms a Chinese IME candidate must not send.
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing && ev.keyCode !== 229) {
        ev.preventDefault();
        $("composer").requestSubmit();
      } else if (ev.key === "Escape") {
        closeInline();
        cancelReply();
        closeCommands();
      }
    });
    $("input").addEventListener("input", onInput);
    $("reply-cancel").addEventListener("click", cancelReply);
    $("commands-button").addEventListener("click", toggleCommands);
    $("attach-button").addEventListener("click", () => $("attach-input").click());
    $("attach-input").addEventListener("change", async (ev) => {
      const [file] = ev.target.files;
      ev.target.value = ""; // the same file may be chosen again after a fix
      await sendFile(file);
    });
    $("toast").addEventListener("click", () => ($("toast").hidden = true));
    $("reset-demo").addEventListener("click", resetDemo);
  }

  async function main() {
    wire();
    for (;;) {
      try {
        await reloadAll();
        break;
      } catch (_) {
        setConnected(false);
        await sleep(1500);
      }
    }
    setConnected(true);
    pollEvents();
  }

  main();
})();
