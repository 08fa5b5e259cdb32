//! Starts `migrate-lint server` for PHP files. The command comes from the `lsp.migrate-lint`
//! settings (`binary.path`, `binary.arguments`) or from the project shell's PATH.
use zed_extension_api::{self as zed, serde_json, settings::LspSettings, LanguageServerId, Result};

struct MigrateLint;

impl zed::Extension for MigrateLint {
    fn new() -> Self {
        MigrateLint
    }

    fn language_server_command(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let binary = LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.binary);
        let args = binary
            .as_ref()
            .and_then(|b| b.arguments.clone())
            .unwrap_or_else(|| vec!["server".to_string()]);
        let command = binary
            .and_then(|b| b.path)
            .or_else(|| worktree.which("migrate-lint"))
            .ok_or_else(|| {
                "migrate-lint is not on PATH: pipx install 'migrate-lint[server]', \
                 or set lsp.migrate-lint.binary.path"
                    .to_string()
            })?;
        Ok(zed::Command {
            command,
            args,
            env: worktree.shell_env(),
        })
    }

    fn language_server_initialization_options(
        &mut self,
        id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<Option<serde_json::Value>> {
        Ok(LspSettings::for_worktree(id.as_ref(), worktree)
            .ok()
            .and_then(|settings| settings.initialization_options))
    }
}

zed::register_extension!(MigrateLint);
