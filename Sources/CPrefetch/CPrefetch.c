// Everything in CPrefetch is a static inline function in include/CPrefetch.h; SwiftPM wants
// one source file per C target.
#include "CPrefetch.h"
