-- Drives `aether lsp` from Neovim's built-in LSP client (Neovim 0.7, as
-- Debian ships it, and later): open a project's module, introduce an error,
-- and write what the editor then knows (its diagnostics, a hover, a
-- definition) to $RESULT, one fact a line. cargo-aether/tests/editor_neovim.rs
-- runs it with `nvim --headless` and reads the file.
local out = assert(io.open(os.getenv("RESULT"), "w"))
local function say(s)
  out:write(s .. "\n")
  out:flush()
end

local ok, err = pcall(function()
  local project = os.getenv("PROJECT")
  vim.cmd("edit " .. project .. "/src/main.ae")
  local buf = vim.api.nvim_get_current_buf()
  local id = vim.lsp.start_client({
    name = "aether",
    cmd = { os.getenv("AETHER_BIN"), "lsp" },
    root_dir = project,
  })
  assert(id, "the client did not start")
  vim.lsp.buf_attach_client(buf, id)
  assert(vim.wait(60000, function()
    local c = vim.lsp.get_client_by_id(id)
    return c ~= nil and c.initialized
  end, 20), "the server did not initialize")
  say("initialized")

  -- Introduce an error, unsaved: a string where an int is declared.
  vim.api.nvim_buf_set_lines(buf, 4, 4, false, { '    let wrong: int = "oops"' })
  assert(vim.wait(60000, function()
    return #vim.diagnostic.get(buf, { severity = vim.diagnostic.severity.ERROR }) > 0
  end, 20), "no error diagnostics arrived")
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local code = d.code or (d.user_data and d.user_data.lsp and d.user_data.lsp.code) or "?"
    say(string.format("diagnostic %d:%d %s %s", d.lnum + 1, d.col + 1, code, (d.message:gsub("\n.*", ""))))
  end

  local uri = vim.uri_from_bufnr(buf)
  local function ask(method, line, character)
    local params = { textDocument = { uri = uri }, position = { line = line, character = character } }
    local replies = vim.lsp.buf_request_sync(buf, method, params, 60000)
    assert(replies and replies[id], method .. ": no reply")
    assert(not replies[id].err, method .. ": " .. vim.inspect(replies[id].err))
    return replies[id].result
  end

  -- Line 4 (0-based 3) is `    let b = game.fall(game.Ball { y: 10.0 }, 0.5)`.
  local hover = ask("textDocument/hover", 3, 18)
  local text = hover.contents.value or hover.contents
  say("hover " .. (text:gsub("\n", "|")))

  local def = ask("textDocument/definition", 3, 18)
  if def[1] then
    def = def[1]
  end
  say(string.format("definition %s %d:%d", vim.fn.fnamemodify(vim.uri_to_fname(def.uri), ":t"),
    def.range.start.line + 1, def.range.start.character + 1))
end)

if not ok then
  say("error " .. tostring(err))
end
say("done")
out:close()
vim.cmd("qall!")
