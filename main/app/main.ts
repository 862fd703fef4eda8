// Electron main process: windows, menus, ipcMain wiring and security settings only (DESIGN.md).
import { app } from 'electron';

void app.whenReady();
