; Highlights for Aether, with the capture names Neovim, Helix and Zed share.
; Later patterns win in Neovim and earlier ones in Helix, so the specific
; patterns come first and the plain identifier last.

(line_comment) @comment
(block_comment) @comment
((line_comment) @comment.documentation
  (#match? @comment.documentation "^///"))
(shebang) @keyword.directive
; A script's `---cargo` block: the fences here, the TOML by injections.scm.
(frontmatter_fence) @keyword.directive
(frontmatter_content) @string.special

(attribute "@" @attribute (identifier) @attribute)

; Definitions
(function_item name: (identifier) @function)
(extern_function_item name: (identifier) @function)
(function_item receiver: (type_identifier) @type)
(const_item name: (identifier) @constant)
(state_item name: (identifier) @variable)
(parameter name: (identifier) @variable.parameter)
(closure_parameter name: (identifier) @variable.parameter)
(self_parameter "self" @variable.builtin)
(enum_variant name: (variant_identifier) @constructor)
(field_declaration name: (field_identifier) @property)
(variant_field name: (field_identifier) @property)
(test_item name: (string) @string.special)

; Calls
(call_expression function: (identifier) @function.call)
(call_expression function: (field_expression field: (field_identifier) @function.method.call))

; Types
(type_identifier) @type
(module_identifier) @module
(import_declaration path: (module_path (identifier) @module))
((type_path (type_identifier) @type.builtin)
  (#any-of? @type.builtin "int" "float" "bool" "str"))

; Patterns
(variant_path (identifier) @constructor)
(variant_pattern name: (identifier) @constructor)
(wildcard_pattern) @variable.builtin

; Fields
(field_identifier) @property
(shorthand_field_identifier) @property

; Literals
(integer) @number
(float) @number.float
(boolean) @boolean
(none) @constant.builtin
(self) @variable.builtin
(string) @string
(escape_sequence) @string.escape
(format_spec) @string.special
(interpolation "{" @punctuation.special "}" @punctuation.special)
(format_argument "{" @punctuation.special "}" @punctuation.special)

[
  "fn"
  "extern"
  "struct"
  "enum"
  "const"
  "state"
  "test"
  "let"
  "var"
] @keyword

"import" @keyword.import
(visibility) @keyword.modifier
(mutable_specifier) @keyword.modifier

[
  "if"
  "else"
  "match"
] @keyword.conditional

[
  "while"
  "loop"
  "for"
  "in"
] @keyword.repeat

(return_expression "return" @keyword.return)
(break_expression "break" @keyword.repeat)
(continue_expression "continue" @keyword.repeat)
(label) @label

[
  "+" "-" "*" "/" "%"
  "==" "!=" "<" "<=" ">" ">="
  "&&" "||" "!" "??"
  "&" "^" "~" "<<" ">>"
  "=" "+=" "-=" "*=" "/=" "%=" "&=" "|=" "^=" "<<=" ">>="
  ".." "..="
  "->" "=>"
] @operator

(binary_expression operator: "|" @operator)
(try_expression "?" @operator)
(optional_type "?" @operator)
(result_type "!" @operator)

["(" ")" "[" "]" "{" "}"] @punctuation.bracket
["," "." ":" ";"] @punctuation.delimiter
(closure_parameters "|" @punctuation.bracket)

(identifier) @variable
