// The expression editor: CodeMirror 6 with codemirror-promql (highlighting, linting, completion from the querier's API).
// A chunk of its own, imported once the query page is drawn: the page works at once with a plain text area, which
// this editor then replaces, taking over its text, caret, focus and the edits typed so far (undo reaches them).
import { EditorView, keymap, placeholder } from '@codemirror/view';
import { basicSetup } from 'codemirror';
import { EditorSelection, Prec } from '@codemirror/state';
import { isolateHistory } from '@codemirror/commands';
import { setDiagnostics } from '@codemirror/lint';
import { completionStatus } from '@codemirror/autocomplete';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

/** Edits closer together than this are one undo step, as CodeMirror groups typing itself. */
const UNDO_GROUP_MS = 500;

/**
 * Replaces `fallback` (the text area with its recorded edits, see PlainExpression) by a CodeMirror editor and returns
 * the few operations the panel needs. `onEnter` runs the query, `onChange(text)` follows every edit.
 */
export function replaceExpressionArea(fallback, { onEnter, onChange, completionFetch, completionLookback }) {
  const promql = new PromQLExtension().setComplete({ remote: { url: location.origin, httpMethod: 'GET', lookbackInterval: completionLookback,
    fetchFn: completionFetch } });
  const view = new EditorView({
    doc: fallback.initialText,
    extensions: [
      basicSetup,
      promql.asExtension(),
      placeholder('Expression (press Shift+Enter for newlines)'),
      EditorView.lineWrapping,
      // Enter runs the query unless the completion list is open (then it picks the entry), as in Prometheus' UI
      Prec.highest(keymap.of([{ key: 'Enter', run: (v) => {
        if (completionStatus(v.state) === 'active') return false;
        onEnter();
        return true;
      } }, { key: 'Shift-Enter', run: () => false }])),
      EditorView.updateListener.of((u) => { if (u.docChanged) onChange(u.state.doc.toString()); }),
    ],
  });
  // the text area's edits, replayed so that undo steps back through what was typed before the editor came
  let previous = -Infinity;
  for (const edit of fallback.edits) {
    view.dispatch({ changes: edit.change, userEvent: 'input.type',
      annotations: edit.at - previous > UNDO_GROUP_MS ? isolateHistory.of('before') : undefined });
    previous = edit.at;
  }
  const area = fallback.area;
  const length = view.state.doc.length;
  const [anchor, head] = area.selectionDirection === 'backward' ? [area.selectionEnd, area.selectionStart] : [area.selectionStart, area.selectionEnd];
  view.dispatch({ selection: EditorSelection.single(Math.min(anchor, length), Math.min(head, length)) });
  const focused = document.activeElement === area;
  area.replaceWith(view.dom);
  if (focused) view.focus();
  return {
    setText: (text) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
    focus: () => view.focus(),
    /** Marks one range of the expression as an error ({from, to, message}), or clears the marks (null). */
    mark: (error) => view.dispatch(setDiagnostics(view.state, error ? [{ ...error, severity: 'error' }] : [])),
  };
}
