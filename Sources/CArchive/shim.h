#ifndef BERTH_CARCHIVE_SHIM_H
#define BERTH_CARCHIVE_SHIM_H

// libarchive from Debian's libarchive-dev: reading and writing zip, tar and its compressions.
#include <archive.h>
#include <archive_entry.h>

#endif
