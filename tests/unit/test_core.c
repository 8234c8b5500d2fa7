/* Core: UTF-8, validation per datatype, the PO reader, and the script parser. */
#include <stdlib.h>

#include "check.h"
#include "core/buf.h"
#include "core/i18n.h"
#include "core/script.h"
#include "core/utf8.h"
#include "core/validate.h"

static void test_utf8(void)
{
    CHECK(ck_utf8_valid("héllo 中文 العربية", strlen("héllo 中文 العربية")));
    CHECK(!ck_utf8_valid("bad \xff byte", 10));
    CHECK(!ck_utf8_valid("\xc0\xaf", 2));         /* overlong '/' */
    CHECK(!ck_utf8_valid("\xed\xa0\x80", 3));     /* a surrogate */
    CHECK(!ck_utf8_valid("\xe4\xb8", 2));         /* truncated */
    CHECK(ck_utf8_valid("\xef\xbf\xbd", 3));      /* U+FFFD itself is fine */
    CHECK(ck_utf8_count("añ中") == 3);
    char *s = ck_utf8_sanitize("a\xff" "b", 3);
    CHECK_STR(s, "a\xef\xbf\xbd" "b");
    free(s);
    struct ck_buf b;
    ck_buf_init(&b);
    ck_buf_puts(&b, "año中");
    ck_buf_pop_char(&b);
    CHECK_STR(ck_buf_str(&b), "año");
    ck_buf_pop_char(&b);
    CHECK_STR(ck_buf_str(&b), "añ");
    ck_buf_pop_char(&b);
    ck_buf_pop_char(&b);
    ck_buf_pop_char(&b);
    CHECK_STR(ck_buf_str(&b), "");
    ck_buf_deinit(&b);
}

static void test_validate(void)
{
    CHECK(ck_validate_number("12") == NULL);
    CHECK(ck_validate_number("3.5") == NULL);
    CHECK(ck_validate_number("-4") == NULL);
    CHECK(ck_validate_number("1.2.3") != NULL);
    CHECK(ck_validate_number("abc") != NULL);
    CHECK(ck_validate_number("-") != NULL);
    CHECK(ck_validate_email("resident@example.com") == NULL);
    CHECK(ck_validate_email("a.b+c@mail.city.gov") == NULL);
    CHECK(ck_validate_email("no-at-sign.com") != NULL);
    CHECK(ck_validate_email("two@@example.com") != NULL);
    CHECK(ck_validate_email("x@nodot") != NULL);
    CHECK(ck_validate_email("sp ace@example.com") != NULL);
    CHECK(ck_validate_email("@example.com") != NULL);
    CHECK(ck_validate_phone("(555) 010-1234") == NULL);
    CHECK(ck_validate_phone("+1 555 010 1234") == NULL);
    CHECK(ck_validate_phone("12345") != NULL);
    CHECK(ck_validate_phone("555-CALL-NOW") != NULL);
    CHECK(ck_validate_datetime("2026-11-24T10:30") == NULL);
    CHECK(ck_validate_datetime("2026-02-29T10:30") != NULL);
    CHECK(ck_validate_datetime("2024-02-29T10:30") == NULL);
    CHECK(ck_validate_datetime("2026-11-24") != NULL);
    CHECK(ck_validate_text("fine text", 100, 0) == NULL);
    CHECK(ck_validate_text("line\nbreak", 100, 0) != NULL);
    CHECK(ck_validate_text("line\nbreak", 100, 1) == NULL);
    CHECK(ck_validate_text("bad \xff", 100, 1) != NULL);
    CHECK(ck_validate_text("ñññññ", 4, 0) != NULL);
    CHECK(ck_validate_text("ññññ", 4, 0) == NULL);
}

static void test_po(void)
{
    const char *po = "# comment\n"
                     "msgid \"\"\nmsgstr \"\"\n\"Language: es\\n\"\n\n"
                     "msgid \"Hello\"\nmsgstr \"Hola\"\n\n"
                     "msgid \"Two \"\n\"lines\"\nmsgstr \"Dos \"\n\"líneas\"\n\n"
                     "#, fuzzy\nmsgid \"Unsure\"\nmsgstr \"Inseguro\"\n\n"
                     "msgid \"Step %d of %d\"\nmsgstr \"Paso %d de %d\"\n\n"
                     "msgid \"Bad %d\"\nmsgstr \"Malo %s\"\n\n"
                     "msgid \"Quote \\\"x\\\"\"\nmsgstr \"Cita \\\"x\\\"\"\n\n"
                     "msgid \"Empty\"\nmsgstr \"\"\n";
    char err[CK_ERR_LEN];
    struct ck_po *p = ck_po_parse(po, strlen(po), "test.po", err, sizeof err);
    CHECK(p != NULL);
    if (!p)
        return;
    CHECK_STR(ck_po_get(p, "Hello"), "Hola");
    CHECK_STR(ck_po_get(p, "Two lines"), "Dos líneas");
    CHECK(ck_po_get(p, "Unsure") == NULL);            /* fuzzy entries are not trusted */
    CHECK_STR(ck_po_get(p, "Step %d of %d"), "Paso %d de %d");
    CHECK(ck_po_get(p, "Bad %d") == NULL);            /* conversions differ: refused */
    CHECK_STR(ck_po_get(p, "Quote \"x\""), "Cita \"x\"");
    CHECK(ck_po_get(p, "Empty") == NULL);
    ck_po_free(p);
    const char *broken = "msgid \"a\"\nmsgstr \"b\nnot po\n";
    CHECK(ck_po_parse(broken, strlen(broken), "broken.po", err, sizeof err) == NULL);
    CHECK(strstr(err, "broken.po:2") != NULL);
    CHECK(ck_po_parse("msgid \"\xff\"", 9, "utf.po", err, sizeof err) == NULL);
    CHECK(ck_format_compatible("%s and %d%%", "%s y %d%%"));
    CHECK(!ck_format_compatible("%s", "%s %s"));
    CHECK(!ck_format_compatible("%zu", "%d"));
}

static void test_script(void)
{
    struct ck_script_cmd c;
    char err[CK_ERR_LEN];
    char l1[] = "tap service:pothole";
    CHECK(ck_script_parse_line(l1, &c, err, sizeof err) == CK_OK);
    CHECK(c.verb == CK_SCRIPT_TAP);
    CHECK_STR(c.arg, "service:pothole");
    char l2[] = "type  two spaces kept ";
    CHECK(ck_script_parse_line(l2, &c, err, sizeof err) == CK_OK);
    CHECK_STR(c.arg, " two spaces kept ");
    char l3[] = "   # a comment";
    CHECK(ck_script_parse_line(l3, &c, err, sizeof err) == CK_OK && c.verb == CK_SCRIPT_NONE);
    char l4[] = "advance-clock 61.5\r";
    CHECK(ck_script_parse_line(l4, &c, err, sizeof err) == CK_OK && c.seconds == 61.5);
    char l5[] = "advance-clock soon";
    CHECK(ck_script_parse_line(l5, &c, err, sizeof err) == CK_ERR_SCRIPT);
    char l6[] = "dance now";
    CHECK(ck_script_parse_line(l6, &c, err, sizeof err) == CK_ERR_SCRIPT);
    CHECK(strstr(err, "dance") != NULL);
    char l7[] = "tap";
    CHECK(ck_script_parse_line(l7, &c, err, sizeof err) == CK_ERR_SCRIPT);
    char l8[] = "tap two words";
    CHECK(ck_script_parse_line(l8, &c, err, sizeof err) == CK_ERR_SCRIPT);
    char l9[] = "wait-idle now";
    CHECK(ck_script_parse_line(l9, &c, err, sizeof err) == CK_ERR_SCRIPT);
    char l10[] = "type \xff\xfe";
    CHECK(ck_script_parse_line(l10, &c, err, sizeof err) == CK_ERR_SCRIPT);
}

int main(void)
{
    test_utf8();
    test_validate();
    test_po();
    test_script();
    return ck_check_report();
}
