// Everything in CPageMapping is a static inline function in include/CPageMapping.h; SwiftPM
// wants one source file per C target.
#include "CPageMapping.h"
