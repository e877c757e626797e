// The external scanner of the Aether grammar: line breaks, and a script's
// frontmatter.
//
// Aether ends a statement at a line break (aether-transpile/src/parse.rs),
// except where the statement cannot end (after an operator, inside
// brackets) and when the next line starts with `.` (a method chain goes
// on) or `else`. The grammar asks for a `_newline` only where a statement,
// item, field, variant or arm can end; this scanner produces one there, and
// otherwise leaves the line break to `extras` as whitespace.
//
// A script may start (after its `#!` line and blank lines) with a `---cargo`
// block, its Cargo manifest (aether-transpile/src/frontmatter.rs): an
// opening fence of three dashes or more, the TOML, and a closing line of the
// same dashes. The grammar asks for a `frontmatter_fence` only at the start
// of the file and inside the block; the scanner keeps the opening fence's
// dash count (serialized) to know the closing one.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum TokenType { NEWLINE, ERROR_SENTINEL, FRONTMATTER_FENCE, FRONTMATTER_CONTENT };

// The dashes of the open frontmatter's fence; 0 outside one.
typedef struct {
    uint8_t dashes;
} Scanner;

void *tree_sitter_aether_external_scanner_create(void) { return calloc(1, sizeof(Scanner)); }
void tree_sitter_aether_external_scanner_destroy(void *payload) { free(payload); }
unsigned tree_sitter_aether_external_scanner_serialize(void *payload, char *buffer) {
    buffer[0] = (char)((Scanner *)payload)->dashes;
    return 1;
}
void tree_sitter_aether_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
    ((Scanner *)payload)->dashes = length > 0 ? (uint8_t)buffer[0] : 0;
}

static bool at_line_end(TSLexer *lexer) {
    return lexer->lookahead == '\n' || lexer->lookahead == '\r' || lexer->eof(lexer);
}

// The opening fence, after blank lines: `---` (or more dashes) and the rest
// of its line (`cargo`; the compiler reports any other kind).
static bool scan_opening_fence(Scanner *scanner, TSLexer *lexer) {
    while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r' ||
           lexer->lookahead == '\n') {
        lexer->advance(lexer, true);
    }
    unsigned dashes = 0;
    while (lexer->lookahead == '-') {
        lexer->advance(lexer, false);
        dashes++;
    }
    if (dashes < 3 || dashes > 255) {
        return false;
    }
    while (!at_line_end(lexer)) {
        lexer->advance(lexer, false);
    }
    lexer->mark_end(lexer);
    scanner->dashes = (uint8_t)dashes;
    lexer->result_symbol = FRONTMATTER_FENCE;
    return true;
}

// At the start of a line: whether it is the closing fence (exactly the
// opening's dashes, then only spaces). Consumes what it reads, and leaves
// the token's end where it was.
static bool closing_fence_line(Scanner *scanner, TSLexer *lexer) {
    unsigned dashes = 0;
    while (lexer->lookahead == '-') {
        lexer->advance(lexer, false);
        dashes++;
    }
    if (dashes != scanner->dashes) {
        return false;
    }
    while (lexer->lookahead == ' ' || lexer->lookahead == '\t') {
        lexer->advance(lexer, false);
    }
    return at_line_end(lexer);
}

static void skip_line_break(TSLexer *lexer, bool skip) {
    if (lexer->lookahead == '\r') {
        lexer->advance(lexer, skip);
    }
    if (lexer->lookahead == '\n') {
        lexer->advance(lexer, skip);
    }
}

// Inside the block, after the opening fence or the content: the content
// (every line up to the closing fence), or the closing fence itself.
static bool scan_frontmatter_body(Scanner *scanner, TSLexer *lexer, const bool *valid_symbols) {
    skip_line_break(lexer, true);
    if (lexer->eof(lexer)) {
        return false;
    }
    if (closing_fence_line(scanner, lexer)) {
        lexer->mark_end(lexer);
        scanner->dashes = 0;
        lexer->result_symbol = FRONTMATTER_FENCE;
        return true;
    }
    if (!valid_symbols[FRONTMATTER_CONTENT]) {
        return false;
    }
    // The first line is content: take lines until the closing fence (or the
    // end of the file: an unclosed block, which the compiler reports).
    for (;;) {
        while (!at_line_end(lexer)) {
            lexer->advance(lexer, false);
        }
        lexer->mark_end(lexer);
        if (lexer->eof(lexer)) {
            break;
        }
        skip_line_break(lexer, false);
        if (lexer->eof(lexer) || closing_fence_line(scanner, lexer)) {
            break;
        }
    }
    lexer->result_symbol = FRONTMATTER_CONTENT;
    return true;
}

static bool is_word_char(int32_t c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool tree_sitter_aether_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
    Scanner *scanner = (Scanner *)payload;
    // In error recovery every symbol is valid: let the grammar's own lexer work.
    if (valid_symbols[ERROR_SENTINEL]) {
        return false;
    }
    if (valid_symbols[FRONTMATTER_FENCE]) {
        // The closing fence, or the opening one at the start of the file.
        if (scanner->dashes > 0) {
            return scan_frontmatter_body(scanner, lexer, valid_symbols);
        }
        if (scan_opening_fence(scanner, lexer)) {
            return true;
        }
        // Not a frontmatter: what follows is ordinary source (the line
        // break, if any, is whitespace there).
        return false;
    }
    if (!valid_symbols[NEWLINE]) {
        return false;
    }
    while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r') {
        lexer->advance(lexer, true);
    }
    if (lexer->lookahead != '\n') {
        return false;
    }
    lexer->advance(lexer, false);
    lexer->mark_end(lexer);
    lexer->result_symbol = NEWLINE;
    // Look past blank lines at how the next line starts.
    while (lexer->lookahead == ' ' || lexer->lookahead == '\t' || lexer->lookahead == '\r' ||
           lexer->lookahead == '\n') {
        lexer->advance(lexer, false);
    }
    if (lexer->lookahead == '.') {
        lexer->advance(lexer, false);
        // `.method` continues the chain; `..` starts nothing a line can start with.
        return lexer->lookahead == '.';
    }
    if (lexer->lookahead == 'e') {
        const char *rest = "else";
        for (int i = 0; rest[i]; i++) {
            if (lexer->lookahead != rest[i]) {
                return true;
            }
            lexer->advance(lexer, false);
        }
        return is_word_char(lexer->lookahead);
    }
    return true;
}
