// The VS Code client of `aether lsp`: starts the server over stdio for
// `.ae` files and shows the live reload status it forwards from
// `aether run --hmr` (the `aether/reloadStatus` notification) in the
// status bar. Everything else (diagnostics, hover, definition, completion,
// rename, formatting, ...) is the language client's standard handling.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const config = vscode.workspace.getConfiguration("aether");
  const command = config.get("server.path") || "aether";
  const serverOptions = { command, args: ["lsp"] };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "aether" }],
    initializationOptions: { reloadStatus: config.get("reloadStatus") !== false },
  };
  client = new LanguageClient("aether", "Aether", serverOptions, clientOptions);

  const status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Left);
  status.name = "Aether live reload";
  context.subscriptions.push(status);
  client.onNotification("aether/reloadStatus", (event) => {
    const failed = ["refused", "rolled_back", "not_reloaded", "runtime_error"].includes(event.outcome);
    status.text = `${failed ? "$(warning)" : "$(sync)"} ${event.text}`;
    status.tooltip = event.message;
    status.show();
  });

  client.start();
  context.subscriptions.push({ dispose: () => client && client.stop() });
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
