-- migrate-lint's language server in Neovim 0.7 to 0.10 (vim.lsp.start_client and
-- buf_attach_client, the API 0.7 has). Neovim 0.8+ may use vim.lsp.start, 0.11+
-- vim.lsp.config: see README.md, "In your editor".
-- Try it: nvim -u docs/editors/neovim-0.7.lua database/migrations/some_migration.php
local client_id
vim.api.nvim_create_autocmd("FileType", {
  pattern = "php",
  callback = function(args)
    if client_id == nil then
      client_id = vim.lsp.start_client({
        name = "migrate-lint",
        cmd = { "migrate-lint", "server" },
        root_dir = vim.fn.getcwd(),
      })
    end
    vim.lsp.buf_attach_client(args.buf, client_id)
  end,
})
-- Show each finding's code with its message.
vim.diagnostic.config({
  virtual_text = {
    format = function(d)
      local lsp = d.user_data and d.user_data.lsp or {}
      return (lsp.code or d.code or "") .. " " .. d.message
    end,
  },
})
