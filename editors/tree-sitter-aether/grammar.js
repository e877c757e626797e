/**
 * Tree-sitter grammar for Aether (docs/language.md).
 *
 * Line breaks end statements, as in the compiler's parser
 * (aether-transpile/src/parse.rs): the external scanner (src/scanner.c)
 * turns a line break into a `_newline` token only where the grammar can
 * end a statement there, and not when the next line starts with `.` (a
 * method chain) or `else`. Everywhere else (inside brackets, after an
 * operator) a line break is whitespace.
 *
 * @file Aether grammar for tree-sitter
 * @license MIT OR Apache-2.0
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Binding powers, as in aether-transpile/src/parse/expr.rs.
const PREC = {
  closure: -1,
  range: 1,
  or: 2,
  and: 3,
  compare: 4,
  coalesce: 5,
  bitor: 6,
  bitxor: 7,
  bitand: 8,
  shift: 9,
  additive: 10,
  multiplicative: 11,
  unary: 12,
  postfix: 13,
};

/**
 * @param {RuleOrLiteral} rule
 * @param {RuleOrLiteral} separator
 */
function sepTrailing(rule, separator) {
  return optional(seq(rule, repeat(seq(separator, rule)), optional(separator)));
}

/** @param {RuleOrLiteral} rule */
function commaSep(rule) {
  return sepTrailing(rule, ',');
}

module.exports = grammar({
  name: 'aether',

  extras: $ => [/\s/, $.line_comment, $.block_comment],

  // `frontmatter_fence` and `frontmatter_content`: a script's `---cargo`
  // block, which only the scanner can match (the closing fence repeats the
  // opening fence's dashes).
  externals: $ => [$._newline, $._error_sentinel, $.frontmatter_fence, $.frontmatter_content],

  word: $ => $.identifier,

  supertypes: $ => [$._expression, $._pattern, $._type],

  conflicts: $ => [
    // `if x {`: a struct literal `x { ... }` or the block; the parse that
    // goes on decides (the compiler allows no struct literal there).
    [$._expression, $._struct_name],
    [$._expression, $.struct_path],
    // `=> {`: a block, as the compiler reads it, though `{}` could be a map.
    [$.block, $.map_expression],
  ],

  rules: {
    source_file: $ => seq(
      optional($.shebang),
      optional($.frontmatter),
      repeat(choice($._item, $.attribute, $._newline, ';')),
    ),

    shebang: _ => token(prec(1, /#![^\n]*/)),

    // A script's Cargo manifest (docs/cli.md), as the compiler's
    // frontmatter.rs finds it: after the `#!` line and blank lines, a fence
    // of three dashes or more with `cargo` (or nothing) after it, the TOML,
    // and a line of the same dashes.
    frontmatter: $ => seq($.frontmatter_fence, optional($.frontmatter_content), $.frontmatter_fence),

    line_comment: _ => token(seq('//', /[^\n]*/)),
    block_comment: _ => token(seq('/*', /[^*]*\*+([^/*][^*]*\*+)*/, '/')),

    // ---- items -----------------------------------------------------------

    _item: $ => choice(
      $.import_declaration,
      $.function_item,
      $.extern_function_item,
      $.struct_item,
      $.enum_item,
      $.const_item,
      $.state_item,
      $.test_item,
    ),

    attribute: $ => seq('@', field('name', $.identifier)),

    visibility: _ => 'pub',

    import_declaration: $ => seq('import', field('path', $.module_path)),

    module_path: $ => seq($.identifier, repeat(seq('.', $.identifier))),

    function_item: $ => seq(
      optional($.visibility),
      'fn',
      optional(seq(field('receiver', alias($.identifier, $.type_identifier)), '.')),
      field('name', $.identifier),
      optional(field('type_parameters', $.type_parameters)),
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      field('body', $.block),
    ),

    // `<T, U>`; open for bounds (`T: Ord`) later.
    type_parameters: $ => seq('<', commaSep(alias($.identifier, $.type_identifier)), '>'),

    extern_function_item: $ => seq(
      optional($.visibility),
      'extern',
      'fn',
      field('name', $.identifier),
      field('parameters', $.parameters),
      optional(seq('->', field('return_type', $._type))),
      '=',
      field('path', $.string),
    ),

    parameters: $ => seq('(', commaSep(choice($.self_parameter, $.parameter)), ')'),

    self_parameter: $ => seq(optional($.mutable_specifier), 'self'),

    parameter: $ => seq(
      optional($.mutable_specifier),
      field('name', $.identifier),
      ':',
      field('type', $._type),
    ),

    mutable_specifier: _ => 'mut',

    struct_item: $ => seq(
      optional($.visibility),
      'struct',
      field('name', alias($.identifier, $.type_identifier)),
      optional(field('type_parameters', $.type_parameters)),
      field('body', $.field_declaration_list),
    ),

    field_declaration_list: $ => seq('{', repeat(choice($.field_declaration, ',', $._newline)), '}'),

    field_declaration: $ => seq(
      field('name', alias($.identifier, $.field_identifier)),
      ':',
      field('type', $._type),
      optional(seq('=', field('default', $._expression))),
    ),

    enum_item: $ => seq(
      optional($.visibility),
      'enum',
      field('name', alias($.identifier, $.type_identifier)),
      optional(field('type_parameters', $.type_parameters)),
      field('body', $.enum_variant_list),
    ),

    enum_variant_list: $ => seq('{', repeat(choice($.enum_variant, ',', $._newline)), '}'),

    enum_variant: $ => seq(
      field('name', alias($.identifier, $.variant_identifier)),
      optional(seq('(', commaSep($.variant_field), ')')),
    ),

    variant_field: $ => seq(
      field('name', alias($.identifier, $.field_identifier)),
      ':',
      field('type', $._type),
    ),

    const_item: $ => seq(
      optional($.visibility),
      'const',
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    state_item: $ => seq(
      optional($.visibility),
      'state',
      field('name', $.identifier),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    test_item: $ => seq('test', field('name', $.string), field('body', $.block)),

    // ---- types -----------------------------------------------------------

    _type: $ => choice(
      $.type_path,
      $.list_type,
      $.map_type,
      $.tuple_type,
      $.function_type,
      $.optional_type,
      $.result_type,
    ),

    type_path: $ => seq(
      repeat(seq(alias($.identifier, $.module_identifier), '.')),
      alias($.identifier, $.type_identifier),
      optional(field('type_arguments', $.type_arguments)),
    ),

    // `Pair<int, str>`: a generic struct's or enum's arguments.
    type_arguments: $ => seq('<', $._type, repeat(seq(',', $._type)), optional(','), '>'),

    list_type: $ => seq('[', $._type, ']'),

    map_type: $ => seq('{', field('key', $._type), ':', field('value', $._type), '}'),

    tuple_type: $ => seq('(', commaSep($._type), ')'),

    function_type: $ => prec.right(seq(
      'fn',
      '(',
      commaSep($._type),
      ')',
      optional(seq('->', field('return_type', $._type))),
    )),

    optional_type: $ => seq($._type, token.immediate('?')),

    result_type: $ => seq($._type, token.immediate('!')),

    // ---- statements ------------------------------------------------------

    block: $ => prec.dynamic(1, seq('{', repeat(choice($._statement, $._newline, ';')), '}')),

    _statement: $ => choice(
      $.let_declaration,
      $.assignment,
      $.while_statement,
      $.loop_statement,
      $.for_statement,
      $.expression_statement,
    ),

    expression_statement: $ => prec(-1, $._expression),

    let_declaration: $ => seq(
      choice('let', 'var'),
      field('pattern', $._pattern),
      optional(seq(':', field('type', $._type))),
      '=',
      field('value', $._expression),
    ),

    assignment: $ => prec.right(seq(
      field('target', $._expression),
      field('operator', choice('=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>=')),
      field('value', $._expression),
    )),

    while_statement: $ => seq(
      optional($._loop_label),
      'while',
      field('condition', choice($._expression, $.let_condition)),
      field('body', $.block),
    ),

    loop_statement: $ => seq(optional($._loop_label), 'loop', field('body', $.block)),

    // `'outer:` before a loop.
    _loop_label: $ => seq(field('label', $.label), ':'),

    label: _ => /'[A-Za-z_][A-Za-z0-9_]*/,

    for_statement: $ => seq(
      optional($._loop_label),
      'for',
      optional($.mutable_specifier),
      field('pattern', $._pattern),
      'in',
      field('iterable', $._expression),
      field('body', $.block),
    ),

    // ---- expressions -----------------------------------------------------

    _expression: $ => choice(
      $.identifier,
      $.self,
      $.integer,
      $.float,
      $.boolean,
      $.none,
      $.string,
      $.field_expression,
      $.call_expression,
      $.index_expression,
      $.try_expression,
      $.unary_expression,
      $.binary_expression,
      $.range_expression,
      $.list_expression,
      $.map_expression,
      $.tuple_expression,
      $.unit_expression,
      $.parenthesized_expression,
      $.struct_expression,
      $.if_expression,
      $.match_expression,
      $.closure_expression,
      $.return_expression,
      $.break_expression,
      $.continue_expression,
    ),

    self: _ => 'self',

    integer: _ => token(choice(
      /0x[0-9a-fA-F_]+/,
      /0b[01_]+/,
      /0o[0-7_]+/,
      /[0-9][0-9_]*/,
    )),

    float: _ => token(choice(
      /[0-9][0-9_]*\.[0-9][0-9_]*([eE][+-]?[0-9][0-9_]*)?/,
      /[0-9][0-9_]*[eE][+-]?[0-9][0-9_]*/,
    )),

    boolean: _ => choice('true', 'false'),

    none: _ => 'none',

    string: $ => seq(
      '"',
      repeat(choice(
        $.string_content,
        $.escape_sequence,
        $.interpolation,
        alias(token.immediate('{{'), $.escape_sequence),
        alias(token.immediate('}}'), $.escape_sequence),
      )),
      token.immediate('"'),
    ),

    string_content: _ => token.immediate(prec(1, /[^"\\{}\n]+/)),

    escape_sequence: _ => token.immediate(/\\(u\{[0-9a-fA-F]*\}|[^u])/),

    interpolation: $ => seq(
      token.immediate('{'),
      field('value', $._expression),
      optional(seq(':', field('format', $.format_spec))),
      '}',
    ),

    // A width or precision may be an expression in braces: `{x:>{w}.{p}}`.
    format_spec: $ => seq(
      choice(/[^{}"\n]+/, $.format_argument),
      repeat(choice(token.immediate(/[^{}"\n]+/), $.format_argument)),
    ),

    format_argument: $ => seq(
      token.immediate('{'),
      field('value', $._expression),
      '}',
    ),

    field_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      '.',
      field('field', choice(alias($.identifier, $.field_identifier), $.integer)),
    )),

    call_expression: $ => prec(PREC.postfix, seq(
      field('function', $._expression),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq('(', commaSep($.argument), ')'),

    argument: $ => seq(optional($.mutable_specifier), $._expression),

    index_expression: $ => prec(PREC.postfix, seq(
      field('value', $._expression),
      '[',
      choice(
        field('index', $._expression),
        seq(optional(field('start', $._expression)), choice('..', '..='), optional(field('end', $._expression))),
      ),
      ']',
    )),

    try_expression: $ => prec(PREC.postfix, seq($._expression, token.immediate('?'))),

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('-', '!', '~')),
      field('operand', $._expression),
    )),

    binary_expression: $ => {
      const table = [
        [PREC.or, '||', prec.left],
        [PREC.and, '&&', prec.left],
        [PREC.compare, choice('==', '!=', '<', '<=', '>', '>='), prec.left],
        [PREC.coalesce, '??', prec.right],
        [PREC.bitor, '|', prec.left],
        [PREC.bitxor, '^', prec.left],
        [PREC.bitand, '&', prec.left],
        [PREC.shift, choice('<<', '>>'), prec.left],
        [PREC.additive, choice('+', '-'), prec.left],
        [PREC.multiplicative, choice('*', '/', '%'), prec.left],
      ];
      return choice(...table.map(([p, operator, assoc]) =>
        // @ts-ignore
        assoc(p, seq(
          field('left', $._expression),
          // @ts-ignore
          field('operator', operator),
          field('right', $._expression),
        )),
      ));
    },

    range_expression: $ => prec.left(PREC.range, seq(
      field('start', $._expression),
      choice('..', '..='),
      field('end', $._expression),
    )),

    list_expression: $ => seq('[', commaSep($._expression), ']'),

    map_expression: $ => seq('{', repeat(choice($.map_entry, ',', $._newline)), '}'),

    map_entry: $ => seq(field('key', $._expression), ':', field('value', $._expression)),

    unit_expression: _ => seq('(', ')'),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    tuple_expression: $ => seq('(', $._expression, ',', commaSep($._expression), ')'),

    struct_expression: $ => prec(PREC.postfix, seq(
      field('name', $._struct_name),
      field('body', $.field_initializer_list),
    )),

    _struct_name: $ => choice(
      alias($.identifier, $.type_identifier),
      alias($.struct_path, $.type_path),
    ),

    struct_path: $ => seq(
      alias($.identifier, $.module_identifier),
      repeat1(seq('.', alias($.identifier, $.type_identifier))),
    ),

    field_initializer_list: $ => seq(
      '{',
      repeat(choice($.field_initializer, alias($.identifier, $.shorthand_field_identifier), ',', $._newline)),
      '}',
    ),

    field_initializer: $ => seq(
      field('field', alias($.identifier, $.field_identifier)),
      ':',
      field('value', $._expression),
    ),

    if_expression: $ => prec.right(seq(
      'if',
      field('condition', choice($._expression, $.let_condition)),
      field('consequence', $.block),
      optional(seq('else', field('alternative', choice($.block, $.if_expression)))),
    )),

    let_condition: $ => seq('let', field('pattern', $._pattern), '=', field('value', $._expression)),

    match_expression: $ => seq(
      'match',
      field('value', $._expression),
      field('body', $.match_block),
    ),

    match_block: $ => seq('{', repeat(choice($.match_arm, ',', $._newline)), '}'),

    match_arm: $ => prec.right(seq(
      field('pattern', $._pattern),
      optional(seq('if', field('guard', $._expression))),
      '=>',
      field('value', choice($.block, $._expression, $.assignment)),
    )),

    closure_expression: $ => prec(PREC.closure, seq(
      field('parameters', $.closure_parameters),
      choice(
        field('body', $._expression),
        seq('->', field('return_type', $._type), field('body', $.block)),
      ),
    )),

    closure_parameters: $ => choice(
      '||',
      seq('|', commaSep($.closure_parameter), '|'),
    ),

    closure_parameter: $ => seq(field('name', $.identifier), optional(seq(':', field('type', $._type)))),

    // `return`, `break` and `continue` are expressions, so they also go
    // where a value does: `x ?? return 0`, `none => break`.
    return_expression: $ => prec.right(seq('return', optional(field('value', $._expression)))),

    break_expression: $ => prec.right(seq('break', optional(field('label', $.label)))),

    continue_expression: $ => prec.right(seq('continue', optional(field('label', $.label)))),

    // ---- patterns --------------------------------------------------------

    _pattern: $ => choice(
      $.wildcard_pattern,
      $.identifier,
      $.literal_pattern,
      $.none,
      $.tuple_pattern,
      $.variant_pattern,
      $.struct_pattern,
      $.or_pattern,
    ),

    wildcard_pattern: _ => '_',

    literal_pattern: $ => choice(
      seq(optional('-'), choice($.integer, $.float)),
      $.string,
      $.boolean,
    ),

    tuple_pattern: $ => seq('(', commaSep($._pattern), ')'),

    variant_pattern: $ => choice(
      seq(field('name', $.variant_path), optional($.pattern_arguments)),
      seq(field('name', $.identifier), $.pattern_arguments),
    ),

    variant_path: $ => seq($.identifier, repeat1(seq('.', $.identifier))),

    pattern_arguments: $ => seq('(', commaSep($._pattern), ')'),

    // `Point { x, y: 0, .. }`
    struct_pattern: $ => seq(
      field('name', choice(alias($.identifier, $.type_identifier), alias($.variant_path, $.type_path))),
      '{',
      repeat(choice(
        $.field_pattern,
        alias($.identifier, $.shorthand_field_identifier),
        $.rest_pattern,
        ',',
        $._newline,
      )),
      '}',
    ),

    field_pattern: $ => seq(
      field('field', alias($.identifier, $.field_identifier)),
      ':',
      field('pattern', $._pattern),
    ),

    rest_pattern: _ => '..',

    or_pattern: $ => prec.left(seq($._pattern, '|', $._pattern)),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,
  },
});
