; A script's `---cargo` frontmatter holds its Cargo manifest: TOML.
((frontmatter_content) @injection.content
  (#set! injection.language "toml"))
