// migrate-lint for VS Code: starts `migrate-lint server` (LSP over stdio) for PHP files.
// The server decides which files are migrations, as the command line does.
"use strict";

const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

const SECTION = "migrateLint";
let client;

function settings() {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  return {
    select: cfg.get("select"),
    ignore: cfg.get("ignore"),
    laravelVersion: cfg.get("laravelVersion"),
    database: cfg.get("database"),
    debounceMs: cfg.get("debounceMs"),
  };
}

function start() {
  // In Restricted Mode VS Code hides the workspace's value of migrateLint.path
  // (restrictedConfigurations), so a repository cannot pick the program that runs.
  const command = vscode.workspace.getConfiguration(SECTION).get("path") || ["migrate-lint"];
  const serverOptions = {
    command: command[0],
    args: [...command.slice(1), "server"],
    transport: TransportKind.stdio,
  };
  const clientOptions = {
    documentSelector: [{ scheme: "file", language: "php" }],
    // The server renders fix templates; an untrusted workspace's template-dir is ignored.
    initializationOptions: { ...settings(), workspaceTrusted: vscode.workspace.isTrusted },
    synchronize: { configurationSection: SECTION },
  };
  client = new LanguageClient("migrate-lint", "migrate-lint", serverOptions, clientOptions);
  return client.start();
}

async function restart() {
  if (client) {
    await client.stop();
  }
  await start();
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand("migrateLint.restart", restart),
    vscode.workspace.onDidGrantWorkspaceTrust(restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.path`)) {
        restart();
      }
    })
  );
  return start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
