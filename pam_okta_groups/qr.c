/*
 * qr.c - the only file that includes libqrencode.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "qr.h"
#include "util.h"

#define QUIET 2

/* Terminals are mostly light text on dark, so the light modules are
 * drawn as blocks and the dark ones as blanks; a phone then sees dark
 * modules on a light field. Index: (top dark << 1) | bottom dark. */
static const char *const half[4] = {
	"\xe2\x96\x88",   /* both light: full block */
	"\xe2\x96\x80",   /* top light: upper half block */
	"\xe2\x96\x84",   /* bottom light: lower half block */
	" ",              /* both dark */
};

pog_err
pog_qr_render(const char *text, char **out)
{
	QRcode *qr;
	struct pog_buf b = { 0 };
	pog_err err = POG_ERR_NOMEM;
	int size, x, y;

	qr = QRcode_encodeString(text, 0, QR_ECLEVEL_L, QR_MODE_8, 1);
	if (qr == NULL)
		return POG_ERR_INVALID;
	size = qr->width + 2 * QUIET;
	for (y = 0; y < size; y += 2) {
		for (x = 0; x < size; x++) {
			int top = 0, bot = 0, mx = x - QUIET, my = y - QUIET;

			if (mx >= 0 && mx < qr->width && my >= 0 && my < qr->width)
				top = qr->data[my * qr->width + mx] & 1;
			if (mx >= 0 && mx < qr->width && my + 1 >= 0 && my + 1 < qr->width)
				bot = qr->data[(my + 1) * qr->width + mx] & 1;
			if (pog_buf_addstr(&b, half[(top << 1) | bot]) != POG_OK)
				goto out;
		}
		if (pog_buf_addstr(&b, "\n") != POG_OK)
			goto out;
	}
	*out = pog_buf_steal(&b);
	err = *out != NULL ? POG_OK : POG_ERR_NOMEM;
out:
	pog_buf_free(&b);
	QRcode_free(qr);
	return err;
}
