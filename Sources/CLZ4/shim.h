#ifndef DBDUCK_CLZ4_SHIM_H
#define DBDUCK_CLZ4_SHIM_H
#include <lz4.h>
#include <lz4frame.h>
#endif
