import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { APP_COMMANDS } from '../../../../common/contract/index.ts';
import { FONT_SIZE, PANE_COMMANDS, registerPaneActions, runPaneAction, zoomedFontSize } from './appCommands.ts';
import { shortcutLabel } from './keymap.ts';

describe('app menu commands in the terminals view', () => {
  it('runs pane commands on the pane registered for the session, until it unregisters', () => {
    const ran: string[] = [];
    const off = registerPaneActions('s1', (a) => ran.push(a));
    assert.equal(runPaneAction('s1', 'find'), true);
    assert.equal(runPaneAction('s2', 'find'), false);
    off();
    assert.equal(runPaneAction('s1', 'copy'), false);
    assert.deepEqual(ran, ['find']);
  });

  it('maps only known commands to pane actions that have a key', () => {
    for (const [command, action] of Object.entries(PANE_COMMANDS)) {
      assert.ok(APP_COMMANDS.includes(command as never), command);
      assert.match(shortcutLabel(action), /^Ctrl\+Shift\+[A-Z]$/, action);
    }
  });

  it('zooms the text a point a step, within bounds, and resets', () => {
    assert.equal(zoomedFontSize(13, 'zoomIn'), 14);
    assert.equal(zoomedFontSize(13, 'zoomOut'), 12);
    assert.equal(zoomedFontSize(FONT_SIZE.max, 'zoomIn'), FONT_SIZE.max);
    assert.equal(zoomedFontSize(FONT_SIZE.min, 'zoomOut'), FONT_SIZE.min);
    assert.equal(zoomedFontSize(20, 'zoomReset'), FONT_SIZE.base);
    assert.equal(zoomedFontSize(20, 'newTab'), 20);
  });
});
