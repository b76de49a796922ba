// Minimal shim over ncursesw: only what Swift cannot import directly (macros and the
// global variables Swift 6 rejects as shared mutable state). Nothing else lives here.
#ifndef DRIFTSCOPE_CNCURSESW_SHIM_H
#define DRIFTSCOPE_CNCURSESW_SHIM_H

#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif
// SwiftPM drops the -D flags pkg-config prints, which would hide the wide-character API.
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <langinfo.h>
#include <ncursesw/ncurses.h>
#include <ncursesw/term.h>

static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline int cn_err(void) { return ERR; }
static inline int cn_ok(void) { return OK; }
static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }

static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_a_italic(void) { return A_ITALIC; }

static inline int cn_key_resize(void) { return KEY_RESIZE; }
static inline int cn_key_mouse(void) { return KEY_MOUSE; }
static inline int cn_key_f(int n) { return KEY_F(n); }

static inline mmask_t cn_all_mouse_events(void) { return ALL_MOUSE_EVENTS | REPORT_MOUSE_POSITION; }
static inline mmask_t cn_button1_clicked(void) { return BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_RELEASED; }
static inline mmask_t cn_button4_pressed(void) { return BUTTON4_PRESSED; }
#ifdef BUTTON5_PRESSED
static inline mmask_t cn_button5_pressed(void) { return BUTTON5_PRESSED; }
#else
static inline mmask_t cn_button5_pressed(void) { return 0; }
#endif

/// Writes one wide string at (y, x) with an attribute and a colour pair (pairs above 255
/// need attr_set's pair argument, not COLOR_PAIR, which holds 8 bits only).
static inline int cn_put(int y, int x, const wchar_t *text, int length, attr_t attrs, int pair) {
    if (wattr_set(stdscr, attrs, (short)pair, NULL) == ERR) { /* fall through: still draw */ }
    int rc = mvaddnwstr(y, x, text, length);
    wattr_set(stdscr, A_NORMAL, 0, NULL);
    return rc;
}

static inline mmask_t cn_button1_pressed(void) { return BUTTON1_PRESSED; }

/// The C standard streams: Swift 6 rejects `stdout`/`stdin` as shared mutable globals.
static inline FILE *cn_stdout(void) { return stdout; }
static inline FILE *cn_stdin(void) { return stdin; }

/// setlocale(LC_ALL, "") — LC_ALL is a macro chain Swift may not import.
static inline void cn_setlocale_from_environment(void) { setlocale(LC_ALL, ""); }

/// Checks that terminfo knows `name` without printing anything (setupterm with errret),
/// then frees the description. Returns 1 when usable, 0 when unknown, -1 when terminfo is missing.
static inline int cn_check_term(const char *name, int fd) {
    int err = 0;
    if (setupterm((char *)name, fd, &err) != OK) return err == 0 ? 0 : -1;
    del_curterm(cur_term);
    return 1;
}

/// Keypad codes (octal macros in ncurses.h).
static inline int cn_key_up(void) { return KEY_UP; }
static inline int cn_key_down(void) { return KEY_DOWN; }
static inline int cn_key_left(void) { return KEY_LEFT; }
static inline int cn_key_right(void) { return KEY_RIGHT; }
static inline int cn_key_home(void) { return KEY_HOME; }
static inline int cn_key_end(void) { return KEY_END; }
static inline int cn_key_ppage(void) { return KEY_PPAGE; }
static inline int cn_key_npage(void) { return KEY_NPAGE; }
static inline int cn_key_enter(void) { return KEY_ENTER; }
static inline int cn_key_backspace(void) { return KEY_BACKSPACE; }
static inline int cn_key_dc(void) { return KEY_DC; }
static inline int cn_key_btab(void) { return KEY_BTAB; }

/// Reads the pending mouse event: 1 with its position and button state, 0 when none.
static inline int cn_get_mouse(int *x, int *y, mmask_t *state) {
    MEVENT event;
    if (getmouse(&event) != OK) return 0;
    *x = event.x;
    *y = event.y;
    *state = event.bstate;
    return 1;
}

static inline int cn_utf8_locale(void) {
    const char *cs = nl_langinfo(CODESET);
    if (!cs) return 0;
    return (cs[0] == 'U' || cs[0] == 'u') && (cs[1] == 'T' || cs[1] == 't') && (cs[2] == 'F' || cs[2] == 'f');
}

#endif
