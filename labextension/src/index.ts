/**
 * fazhi-lab: the officer's JupyterLab without setup steps.
 *
 * - A fazhi notebook (notebook metadata `fazhi.autorun`) runs its cells tagged `fazhi-autorun`
 *   once the kernel is ready, with their input hidden and stale outputs cleared first, so the
 *   questions are ready to click: no "run all", no restart dialog, no raw widget reprs.
 * - The study tracker's activity channel: hidden text inputs of class `fazhi-study-<session>`
 *   receive "active"/"visible"/"hidden" signals (the kernel keeps the clock).
 * - nbgrader's Assignments tab: Chinese labels, titles next to the slugs, Beijing time instead
 *   of UTC, 已截止 marks, no Validate buttons, and a confirmation before Submit.
 */

import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { URLExt } from '@jupyterlab/coreutils';
import { CodeCell } from '@jupyterlab/cells';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';

const AUTORUN_TAG = 'fazhi-autorun';
// nbgrader's course folders (a trainer's JupyterLab): opening a notebook there must not run it,
// or an answer sheet written next to a source notebook would be released with it
const COURSE_DIRS = ['source', 'release', 'submitted', 'autograded', 'feedback'];

// ---- notebooks: run the tagged cells on open --------------------------------------------

function isFazhiNotebook(panel: NotebookPanel): boolean {
  const meta = panel.context.model.getMetadata('fazhi') as { autorun?: boolean } | undefined;
  const top = panel.context.path.split('/')[0];
  return Boolean(meta && meta.autorun) && !COURSE_DIRS.includes(top);
}

function autorunCells(panel: NotebookPanel): CodeCell[] {
  return panel.content.widgets.filter((cell): cell is CodeCell => {
    if (cell.model.type !== 'code') {
      return false;
    }
    const tags = cell.model.getMetadata('tags');
    return Array.isArray(tags) && tags.includes(AUTORUN_TAG);
  });
}

async function prepareNotebook(panel: NotebookPanel): Promise<void> {
  await panel.context.ready;
  if (!isFazhiNotebook(panel)) {
    return;
  }
  const cells = autorunCells(panel);
  for (const cell of cells) {
    cell.model.outputs.clear(); // a saved widget view is only a raw repr without its kernel
    cell.inputHidden = true;
  }
  // locked code (widget calls, hidden scoring cells): not even its collapsed first line shows
  for (const cell of panel.content.widgets) {
    const jupyter = cell.model.getMetadata('jupyter') as { source_hidden?: boolean } | undefined;
    if (cell.model.type === 'code' && jupyter?.source_hidden) {
      cell.addClass('fazhi-hidden-code');
    }
  }
  panel.context.model.dirty = false;
  await panel.sessionContext.ready;
  if (!panel.sessionContext.session?.kernel) {
    return;
  }
  panel.node.classList.add('fazhi-autorunning');
  try {
    for (const cell of cells) {
      if (cell.isDisposed) {
        return;
      }
      await CodeCell.execute(cell, panel.sessionContext);
    }
  } finally {
    panel.node.classList.remove('fazhi-autorunning');
    panel.node.classList.add('fazhi-ready');
  }
  if (!panel.isDisposed) {
    panel.context.model.dirty = false; // answers live in the answer sheet, not the notebook
  }
}

// ---- study tracker channel ----------------------------------------------------------------

const BEAT_MS = 30000; // at most one "active" signal per beacon per 30 s
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'scroll', 'touchstart'];

interface BeaconState {
  seq: number;
  lastActive: number;
  shown: boolean | null;
}

const beacons = new WeakMap<HTMLInputElement, BeaconState>();

function allBeacons(): HTMLInputElement[] {
  return Array.from(document.querySelectorAll<HTMLInputElement>('[class*="fazhi-study-"] input'));
}

function beaconState(input: HTMLInputElement): BeaconState {
  let state = beacons.get(input);
  if (!state) {
    state = { seq: 0, lastActive: 0, shown: null };
    beacons.set(input, state);
  }
  return state;
}

function beaconVisible(input: HTMLInputElement): boolean {
  return document.visibilityState === 'visible' && !input.closest('.lm-mod-hidden');
}

function send(input: HTMLInputElement, kind: string): void {
  const state = beaconState(input);
  state.seq += 1;
  input.value = JSON.stringify({ e: kind, n: state.seq });
  input.dispatchEvent(new Event('input', { bubbles: true }));
}

function onActivity(): void {
  const now = Date.now();
  for (const input of allBeacons()) {
    const state = beaconState(input);
    if (beaconVisible(input) && now - state.lastActive >= BEAT_MS) {
      send(input, 'active');
      state.lastActive = now;
    }
  }
}

function checkVisibility(): void {
  for (const input of allBeacons()) {
    const state = beaconState(input);
    const shown = beaconVisible(input);
    if (shown !== state.shown) {
      state.shown = shown;
      send(input, shown ? 'visible' : 'hidden');
      state.lastActive = shown ? Date.now() : 0;
    }
  }
}

function startTrackerChannel(): void {
  const options = { capture: true, passive: true };
  ACTIVITY.forEach(name => document.addEventListener(name, onActivity, options));
  document.addEventListener('visibilitychange', checkVisibility);
  window.addEventListener('pagehide', () => allBeacons().forEach(input => send(input, 'hidden')));
  window.setInterval(checkVisibility, 2000);
}

// ---- the Assignments tab --------------------------------------------------------------

interface AssignmentInfo {
  title: string;
  closes: string; // Beijing time, e.g. "2026-11-10 18:00"; empty when none
  closed: boolean;
}

const LABELS: Record<string, string> = {
  'Released assignments': '可获取的作业和考试',
  'Downloaded assignments': '已获取（作答中）',
  'Submitted assignments': '已提交',
  'There are no assignments to fetch.': '暂无可获取的作业或考试。',
  'There are no downloaded assignments.': '暂无已获取的作业或考试。',
  'There are no submitted assignments.': '暂无已提交的记录。',
  'Loading, please wait...': '正在加载……',
  'Released, downloaded, and submitted assignments for course:': '课程的作业和考试：',
  Fetch: '获取',
  'Fetching...': '正在获取……',
  Submit: '提交',
  'submitting...': '正在提交……',
  'Fetch Feedback': '获取反馈',
  'Fetching Feedback...': '正在获取反馈……',
  ' (view feedback)': '（查看反馈）',
  ' (feedback available to fetch)': '（有反馈可获取）',
  'Error fetching assignment.': '获取失败。',
  'Error submitting assignment.': '提交失败。',
  'Error fetching feedback.': '获取反馈失败。'
};
const UTC_STAMP = /(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(\.\d+)? ?UTC/;

let assignmentInfo: Record<string, AssignmentInfo> = {};
let infoLoaded = 0;

async function loadAssignmentInfo(): Promise<void> {
  if (Date.now() - infoLoaded < 5000) {
    return;
  }
  infoLoaded = Date.now();
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, 'fazhi', 'assignments');
  try {
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (response.ok) {
      assignmentInfo = (await response.json()) as Record<string, AssignmentInfo>;
    }
  } catch (err) {
    console.warn('fazhi: no assignment titles', err);
  }
}

function beijingTime(stamp: string): string {
  const m = UTC_STAMP.exec(stamp);
  if (!m) {
    return stamp;
  }
  const utc = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  const local = new Date(utc + 8 * 3600 * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())} ` +
    `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}（北京时间）`
  );
}

function relabelText(root: HTMLElement): void {
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const nodes: Text[] = [];
  while (walker.nextNode()) {
    nodes.push(walker.currentNode as Text);
  }
  for (const node of nodes) {
    const raw = node.data;
    const key = raw.trim();
    if (raw in LABELS) {
      node.data = LABELS[raw];
    } else if (key in LABELS) {
      node.data = LABELS[key];
    } else if (UTC_STAMP.test(raw)) {
      node.data = raw.replace(UTC_STAMP, s => '提交于 ' + beijingTime(s));
    }
  }
}

function slugOf(row: Element): string {
  const name = row.querySelector(':scope > .col-md-12 > .item_name');
  const slug = name?.querySelector('a, span') ?? name;
  return (slug?.textContent ?? '').trim();
}

function addTitles(root: HTMLElement): void {
  root.querySelectorAll<HTMLElement>('.list_container > .list_item:not(.nested_list_item)').forEach(row => {
    const name = row.querySelector<HTMLElement>(':scope > .col-md-12 > .item_name');
    const info = assignmentInfo[slugOf(row)];
    if (!name || !info) {
      return;
    }
    if (!name.querySelector('.fazhi-title')) {
      const title = document.createElement('span');
      title.className = 'fazhi-title';
      let text = ` ${info.title}`;
      if (info.closes) {
        text += info.closed ? `（已截止：${info.closes}）` : `（截止：${info.closes} 北京时间）`;
      }
      title.textContent = text;
      if (info.closed) {
        title.classList.add('fazhi-closed');
      }
      name.appendChild(title);
    }
    // a closed exam can be neither fetched nor submitted (the exchange refuses too)
    const inList = row.closest('#released_assignments_list, #fetched_assignments_list');
    const button = row.querySelector<HTMLButtonElement>(':scope > .col-md-12 > .item_status button');
    if (info.closed && inList && button && button.textContent !== '已截止') {
      button.textContent = '已截止';
      button.disabled = true;
      button.classList.add('fazhi-closed-button');
    }
  });
}

function titleOf(button: HTMLElement): string {
  const row = button.closest('.list_container > .list_item:not(.nested_list_item)');
  const slug = row ? slugOf(row) : '';
  const info = assignmentInfo[slug];
  return info ? `${info.title}（${slug}）` : slug;
}

let confirmed: HTMLElement | null = null;

function guardSubmit(event: MouseEvent): void {
  const target = event.target as HTMLElement | null;
  const button = target?.closest('#assignments button') as HTMLElement | null;
  if (!button || button === confirmed) {
    confirmed = null;
    return;
  }
  const text = button.textContent?.trim();
  if (text !== '提交' && text !== 'Submit') {
    return;
  }
  event.preventDefault();
  event.stopImmediatePropagation();
  void showDialog({
    title: '确认提交',
    body:
      `确定要提交“${titleOf(button)}”吗？请先保存笔记本（Ctrl+S）。` +
      '考试提交后以最后一次提交为准；截止后不能再提交。',
    buttons: [Dialog.cancelButton({ label: '继续作答' }), Dialog.okButton({ label: '确认提交' })]
  }).then(result => {
    if (result.button.accept) {
      confirmed = button;
      button.click();
    }
  });
}

const TAB_TITLE = '作业和考试';

function relabelTab(app: JupyterFrontEnd): void {
  for (const widget of app.shell.widgets('main')) {
    if (widget.title.label === 'Assignments') {
      widget.title.label = TAB_TITLE;
    }
  }
}

function watchAssignments(app: JupyterFrontEnd): void {
  let pending = false;
  const refresh = async () => {
    pending = false;
    const root = document.getElementById('assignments');
    if (!root) {
      return;
    }
    await loadAssignmentInfo();
    relabelTab(app);
    observer.disconnect();
    relabelText(root);
    addTitles(root);
    observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  };
  const observer = new MutationObserver(() => {
    if (!pending && document.getElementById('assignments')) {
      pending = true;
      window.setTimeout(() => void refresh(), 50);
    }
  });
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  document.addEventListener('click', guardSubmit, true);
}

function addStyle(): void {
  const style = document.createElement('style');
  style.textContent = `
    .fazhi-hidden-code .jp-Cell-inputWrapper { display: none; }
    #assignments .nested_list_item .item_status .btn-default { display: none; }
    #assignments .fazhi-title { margin-left: 0.5em; }
    #assignments .fazhi-closed { color: #a33; }
  `;
  document.head.appendChild(style);
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'fazhi-lab:plugin',
  description: 'fazhi notebooks ready on open; Chinese Assignments tab with a Submit confirmation',
  autoStart: true,
  requires: [INotebookTracker],
  activate: (app: JupyterFrontEnd, tracker: INotebookTracker) => {
    tracker.widgetAdded.connect((_, panel) => {
      void prepareNotebook(panel).catch(err => console.error('fazhi: autorun failed', err));
    });
    startTrackerChannel();
    addStyle();
    void app.restored.then(() => watchAssignments(app));
  }
};

export default plugin;
