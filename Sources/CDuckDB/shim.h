#ifndef DBDUCK_CDUCKDB_SHIM_H
#define DBDUCK_CDUCKDB_SHIM_H
// duckdb.h forward-declares `struct ArrowSchema`/`struct ArrowArray`; their definitions live once, in
// CArrowData, so Swift sees a single type. Pointers to them cross this module as OpaquePointer.
#include <duckdb.h>
#endif
