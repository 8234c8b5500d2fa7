/* validate.c: field validation rules, shared by the form screens and the tests. */
#include "core/validate.h"

#include <ctype.h>
#include <stdio.h>
#include <stdbool.h>
#include <string.h>

#include "core/utf8.h"

const char *ck_validate_number(const char *s)
{
    const char *p = s;
    if (*p == '-')
        p++;
    int digits = 0, points = 0;
    for (; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if ((*p == '.' || *p == ',') && points == 0)
            points++;
        else
            return "Enter a number, using only digits and one decimal point.";
    }
    if (!digits)
        return "Enter a number, using only digits and one decimal point.";
    if (strlen(s) > CK_NUMBER_MAX)
        return "That number is too long.";
    return NULL;
}

const char *ck_validate_email(const char *s)
{
    static const char *msg = "Enter an email address like name@example.com.";
    const char *at = strchr(s, '@');
    size_t len = strlen(s);
    if (!at || at == s || strchr(at + 1, '@') || len > 254)
        return msg;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ' || *p == ',' || *p == ';' || *p == '<' || *p == '>')
            return msg;
    const char *domain = at + 1;
    const char *dot = strrchr(domain, '.');
    if (!dot || dot == domain || strlen(dot + 1) < 2 || strstr(domain, ".."))
        return msg;
    if (domain[0] == '.' || domain[0] == '-')
        return msg;
    return NULL;
}

const char *ck_validate_phone(const char *s)
{
    static const char *msg = "Enter a phone number with 7 to 15 digits.";
    int digits = 0;
    for (const char *p = s; *p; p++) {
        if (isdigit((unsigned char)*p))
            digits++;
        else if (*p == '+' && p == s)
            continue;
        else if (!strchr(" .-()", *p))
            return msg;
    }
    return digits >= 7 && digits <= 15 ? NULL : msg;
}

static bool leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

const char *ck_validate_datetime(const char *s)
{
    static const char *msg = "Choose a date and a time.";
    int y, mo, d, h, mi;
    char t;
    if (sscanf(s, "%4d-%2d-%2d%c%2d:%2d", &y, &mo, &d, &t, &h, &mi) != 6 || t != 'T')
        return msg;
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1900 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59)
        return msg;
    if (d > mdays[mo - 1] + (mo == 2 && leap(y)))
        return msg;
    return NULL;
}

const char *ck_validate_text(const char *s, size_t max_chars, int allow_newlines)
{
    size_t len = strlen(s);
    if (!ck_utf8_valid(s, len))
        return "This text has characters the kiosk cannot read. Please type it again.";
    for (const char *p = s; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if (c < 0x20 && !(allow_newlines && c == '\n'))
            return "This text has characters the kiosk cannot read. Please type it again.";
    }
    if (ck_utf8_count(s) > max_chars)
        return "This text is too long.";
    return NULL;
}
