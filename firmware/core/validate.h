/* validate.h: what a resident may type into each kind of field.
 *
 * Each check returns NULL when the value is acceptable, or the English message (a msgid for
 * the translation layer) to show next to the field. Pure C. Any thread. */
#ifndef CK_VALIDATE_H
#define CK_VALIDATE_H

#include <stddef.h>

#define CK_DESCRIPTION_MAX 4000 /* characters (code points) in a description */
#define CK_TEXT_MAX 1000        /* characters in a "text" attribute */
#define CK_STRING_MAX 200       /* characters in a "string" attribute, a name or an address */
#define CK_NUMBER_MAX 15        /* characters in a number */

/* A decimal number: optional minus, digits, at most one decimal point or comma. */
const char *ck_validate_number(const char *s);
/* An email address a mail server would accept: local@domain.tld, no spaces. */
const char *ck_validate_email(const char *s);
/* A phone number: 7 to 15 digits, with optional +, spaces, dots, dashes and parentheses. */
const char *ck_validate_phone(const char *s);
/* ISO 8601 "YYYY-MM-DDTHH:MM" at least, with a real calendar date. */
const char *ck_validate_datetime(const char *s);
/* Valid UTF-8 and no control characters other than newline (text) or none (string). */
const char *ck_validate_text(const char *s, size_t max_chars, int allow_newlines);

#endif
