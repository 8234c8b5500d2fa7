/* focus.c: keypad navigation. Every tap target of the frame, in the order the screen drew it,
 * is reachable with up/down (EZ Access-style keys, or any USB keypad); the focused one wears a
 * ring that shows on any background, and `select` activates it like a tap. UI thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ui/theme.h"
#include "ui/ui_int.h"

static int index_of(const struct ck_ui *ui, const char *id)
{
    for (size_t i = 0; i < ui->ntargets; i++)
        if (strcmp(ui->targets[i].id, id) == 0)
            return (int)i;
    return -1;
}

void ck_ui_label(struct ck_ui *ui, const char *label, const char *detail)
{
    if (!ui->ntargets || !label)
        return;
    struct ck_target *t = &ui->targets[ui->ntargets - 1];
    snprintf(t->label, sizeof t->label, "%s%s%s", label, detail && *detail ? ". " : "",
             detail && *detail ? detail : "");
}

const char *ck_ui_target_label(const struct ck_ui *ui, const char *id)
{
    int i = index_of(ui, id);
    return i < 0 ? NULL : ui->targets[i].label;
}

void ck_ui_focus_show(struct ck_ui *ui, bool on)
{
    ui->focus_on = on;
}

bool ck_ui_focus_shown(const struct ck_ui *ui)
{
    return ui->focus_on;
}

const char *ck_ui_focused(const struct ck_ui *ui)
{
    return index_of(ui, ui->focus_id) >= 0 ? ui->focus_id : NULL;
}

void ck_ui_focus_set(struct ck_ui *ui, const char *id)
{
    snprintf(ui->focus_id, sizeof ui->focus_id, "%s", id ? id : "");
}

/* Reading order: top to bottom, then along the line (right to left in a mirrored layout),
 * whatever order the screen drew its targets in. */
static const struct ck_ui *sort_ui;

static int by_position(const void *a, const void *b)
{
    const struct ck_target *ta = &sort_ui->targets[*(const int *)a];
    const struct ck_target *tb = &sort_ui->targets[*(const int *)b];
    /* Targets whose tops are within a few pixels share a line. */
    int dy = ta->r.y - tb->r.y;
    if (dy > 8 || dy < -8)
        return dy;
    int dx = ck_ui_rtl(sort_ui) ? tb->r.x - ta->r.x : ta->r.x - tb->r.x;
    return dx ? dx : *(const int *)a - *(const int *)b;
}

const char *ck_ui_focus_move(struct ck_ui *ui, int step)
{
    /* Under an open dialog only the dialog's own targets (drawn after its backdrop) count. */
    int first = index_of(ui, "dialog-backdrop") + 1;
    /* Hidden targets (a long press for staff) are not on the keypad's way. */
    int order[CK_TARGET_MAX], n = 0;
    for (int k = first; k < (int)ui->ntargets; k++)
        if (strncmp(ui->targets[k].id, "hidden:", 7) != 0)
            order[n++] = k;
    if (n <= 0)
        return NULL;
    sort_ui = ui;
    qsort(order, (size_t)n, sizeof order[0], by_position);
    int cur = index_of(ui, ui->focus_id), pos = -1;
    for (int k = 0; k < n && pos < 0; k++)
        if (order[k] == cur)
            pos = k;
    if (pos < 0)
        pos = step > 0 ? 0 : n - 1;
    else
        pos = ((pos + step) % n + n) % n; /* wraps around, like EZ Access */
    snprintf(ui->focus_id, sizeof ui->focus_id, "%s", ui->targets[order[pos]].id);
    return ui->focus_id;
}

/* Two rings, dark outside and the focus colour inside, so it shows on light and dark alike. */
void ck_ui_focus_draw(struct ck_ui *ui)
{
    int i = ui->focus_on ? index_of(ui, ui->focus_id) : -1;
    if (i < 0)
        return;
    struct ck_rect r = ui->targets[i].r;
    int t = ck_ui_px(ui, 5) < 3 ? 3 : ck_ui_px(ui, 5);
    struct ck_rgba inner = ck_theme_color(CK_COL_FOCUS), outer = ck_theme_color(CK_COL_TEXT);
    for (int k = 0; k < 2; k++) {
        struct ck_rgba c = k ? inner : outer;
        int g = k ? t : 2 * t; /* the outer ring is wider, the inner drawn over its middle */
        SDL_SetRenderDrawColor(ui->r, c.r, c.g, c.b, 0xFF);
        SDL_Rect sides[4] = {
            {r.x - g, r.y - g, r.w + 2 * g, g}, {r.x - g, r.y + r.h, r.w + 2 * g, g},
            {r.x - g, r.y, g, r.h}, {r.x + r.w, r.y, g, r.h}};
        SDL_RenderFillRects(ui->r, sides, 4);
    }
}
