#ifndef DBDUCK_CZSTD_SHIM_H
#define DBDUCK_CZSTD_SHIM_H
#include <zstd.h>
#endif
