/*
 * qr.h - a QR code drawn with Unicode half-blocks. libqrencode is
 * included by qr.c only.
 */
#ifndef POG_QR_H
#define POG_QR_H

#include "pog.h"

/* Draws text as a QR code, two modules a character row, with a quiet
 * zone; *out is malloc'd UTF-8 with one '\n' after each row. */
pog_err pog_qr_render(const char *text, char **out);

#endif /* POG_QR_H */
