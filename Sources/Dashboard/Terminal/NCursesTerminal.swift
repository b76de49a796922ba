import CNCursesW
import Foundation

/// The only code that talks to ncurses (with the rest of this folder). Every call happens on
/// the main thread; the terminal is restored by ``shutdown()``, which the app loop runs on
/// exit, on error and after SIGINT/SIGTERM.
final class NCursesTerminal: TerminalDevice {
    private var screen: OpaquePointer?
    private var tty: UnsafeMutablePointer<FILE>?
    private var isOpen = false
    let supportsUnicode: Bool
    let colorCount: Int
    private let pairLimit: Int
    private var pairs: [Int32: Int16] = [:]
    private var nextManualPair: Int32 = 1
    private var lastTimeout = Int.min

    /// The reason the terminal cannot be used, or nil when it can.
    static func problem() -> String? {
        guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty else {
            return "TERM is not set, so the dashboard cannot draw. Run it in a terminal emulator (for example with TERM=xterm-256color), or use the headless commands."
        }
        if term == "dumb" {
            return "TERM=dumb cannot draw the dashboard (no cursor movement). Use a full terminal (TERM=xterm-256color) or the headless commands."
        }
        let fd: Int32
        var opened: Int32 = -1
        if isatty(STDOUT_FILENO) == 1 {
            fd = STDOUT_FILENO
        } else {
            opened = open("/dev/tty", O_RDWR | O_NOCTTY)
            guard opened >= 0 else {
                return "Standard output is not a terminal and /dev/tty cannot be opened: run the dashboard in an interactive terminal (not with output redirected to a file or a pipe)."
            }
            fd = opened
        }
        defer { if opened >= 0 { close(opened) } }
        switch cn_check_term(term, fd) {
        case 1: return nil
        case 0: return "The terminal type TERM=\(term) is unknown to terminfo. Try TERM=xterm-256color (or install ncurses-term)."
        default: return "The terminfo database cannot be found for TERM=\(term). Install ncurses-base/ncurses-term, or set TERMINFO."
        }
    }

    init() throws(DashboardError) {
        if let problem = NCursesTerminal.problem() { throw DashboardError(problem) }
        cn_setlocale_from_environment()
        var output = cn_stdout()
        var input = cn_stdin()
        if isatty(STDOUT_FILENO) != 1 || isatty(STDIN_FILENO) != 1 {
            // Never scribble escape codes into a redirected file: talk to the terminal itself.
            guard let file = fopen("/dev/tty", "r+") else {
                throw DashboardError("Standard output is not a terminal and /dev/tty cannot be opened: run the dashboard in an interactive terminal.")
            }
            tty = file
            if isatty(STDOUT_FILENO) != 1 { output = file }
            if isatty(STDIN_FILENO) != 1 { input = file }
        }
        guard let s = newterm(nil, output, input) else {
            if let tty { fclose(tty) }
            throw DashboardError("ncurses could not initialise the terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "")).")
        }
        screen = s
        set_term(s)
        isOpen = true
        cbreak()
        noecho()
        nonl()
        keypad(cn_stdscr(), true)
        intrflush(cn_stdscr(), false)
        leaveok(cn_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        var colors = 0
        if has_colors() {
            start_color()
            use_default_colors()
            colors = Int(cn_colors())
        }
        colorCount = colors
        pairLimit = Int(cn_color_pairs())
        mousemask(cn_button1_pressed() | cn_button4_pressed() | cn_button5_pressed(), nil)
        mouseinterval(0)
        supportsUnicode = cn_utf8_locale() != 0
    }

    deinit { shutdown() }

    /// Restores the terminal (idempotent).
    func shutdown() {
        guard isOpen else { return }
        isOpen = false
        curs_set(1)
        endwin()
        if let screen { delscreen(screen) }
        screen = nil
        if let tty { fclose(tty) }
        tty = nil
    }

    var size: GridSize { GridSize(width: Int(cn_cols()), height: Int(cn_lines())) }

    func clearScreen() {
        werase(cn_stdscr())
    }

    func flush() {
        wrefresh(cn_stdscr())
    }

    func draw(_ run: CellRun) {
        var wide: [wchar_t] = []
        wide.reserveCapacity(run.text.count + 1)
        for c in run.text {
            for scalar in c.unicodeScalars { wide.append(wchar_t(bitPattern: scalar.value)) }
        }
        wide.append(0)
        let attrs = attributes(run.style.attributes)
        let pair = colorPair(run.style)
        wide.withUnsafeBufferPointer { buffer in
            _ = cn_put(Int32(run.row), Int32(run.column), buffer.baseAddress, Int32(buffer.count - 1), attrs, Int32(pair))
        }
    }

    private func attributes(_ a: TextAttributes) -> attr_t {
        var out = cn_a_normal()
        if a.contains(.bold) { out |= cn_a_bold() }
        if a.contains(.dim) { out |= cn_a_dim() }
        if a.contains(.italic) { out |= cn_a_italic() }
        if a.contains(.underline) { out |= cn_a_underline() }
        if a.contains(.reverse) { out |= cn_a_reverse() }
        return out
    }

    /// A colour pair for the style's colours, allocated once and cached. Falls back to manual
    /// `init_pair` where `alloc_pair` fails (8-colour consoles), and to the default pair when
    /// the terminal runs out of pairs: text stays readable, only colour is lost.
    private func colorPair(_ style: CellStyle) -> Int16 {
        guard colorCount >= 8 else { return 0 }
        let fg = Int32(ColorMapper.terminalIndex(style.foreground, colors: colorCount))
        let bg = Int32(ColorMapper.terminalIndex(style.background, colors: colorCount))
        if fg < 0 && bg < 0 { return 0 }
        let key = (fg + 1) << 16 | (bg + 1)
        if let p = pairs[key] { return p }
        var pair: Int32 = -1
        if pairs.count < pairLimit - 1 {
            pair = alloc_pair(fg, bg)
            if pair < 0, nextManualPair < Int32(min(pairLimit, 256)) {
                // Consoles without default-colour support reject -1: use white on black.
                let f = Int16(fg < 0 ? 7 : fg), b = Int16(bg < 0 ? 0 : bg)
                if init_pair(Int16(nextManualPair), f, b) != cn_err() {
                    pair = nextManualPair
                    nextManualPair += 1
                }
            }
        }
        let result = Int16(clamping: max(0, pair))
        pairs[key] = result
        return result
    }

    func readKey(timeoutMilliseconds: Int) -> Key? {
        if timeoutMilliseconds != lastTimeout {
            wtimeout(cn_stdscr(), Int32(timeoutMilliseconds))
            lastTimeout = timeoutMilliseconds
        }
        var code: wint_t = 0
        let rc = wget_wch(cn_stdscr(), &code)
        if rc == cn_err() { return nil }
        let value = Int32(bitPattern: code)
        if rc == cn_key_code_yes() { return functionKey(value) }
        return characterKey(value)
    }

    private func functionKey(_ code: Int32) -> Key? {
        switch code {
        case cn_key_up(): return .up
        case cn_key_down(): return .down
        case cn_key_left(): return .left
        case cn_key_right(): return .right
        case cn_key_home(): return .home
        case cn_key_end(): return .end
        case cn_key_ppage(): return .pageUp
        case cn_key_npage(): return .pageDown
        case cn_key_enter(): return .enter
        case cn_key_backspace(): return .backspace
        case cn_key_dc(): return .delete
        case cn_key_btab(): return .backTab
        case cn_key_resize(): return .resize
        case cn_key_mouse():
            var x: Int32 = 0, y: Int32 = 0
            var state: mmask_t = 0
            guard cn_get_mouse(&x, &y, &state) != 0 else { return nil }
            let kind: MouseEvent.Kind
            if state & cn_button4_pressed() != 0 {
                kind = .scrollUp
            } else if cn_button5_pressed() != 0 && state & cn_button5_pressed() != 0 {
                kind = .scrollDown
            } else if state & cn_button1_pressed() != 0 {
                kind = .click
            } else {
                return nil
            }
            return .mouse(MouseEvent(x: Int(x), y: Int(y), kind: kind))
        default:
            for n in 1...12 where code == cn_key_f(Int32(n)) { return .function(n) }
            return nil
        }
    }

    private func characterKey(_ code: Int32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26:
            return .control(Character(Unicode.Scalar(UInt8(code + 96))))
        default:
            guard code >= 32, let scalar = Unicode.Scalar(UInt32(code)) else { return nil }
            return .character(Character(scalar))
        }
    }
}
