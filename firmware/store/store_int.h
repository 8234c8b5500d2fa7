/* store_int.h: what the files of store/ share; nothing outside store/ includes it. */
#ifndef CK_STORE_INT_H
#define CK_STORE_INT_H

#include <sqlite3.h>

struct ck_store {
    sqlite3 *db;
    sqlite3_stmt *ins_request, *ins_attr, *ins_outbox, *has_receipt;
};

#endif
