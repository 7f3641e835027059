/*
 * label.c - the only file that includes libselinux.
 *
 * The raw contexts (no mcstrans translation) are read from the original
 * and set on the temp file before it is renamed over it, so /etc/group
 * keeps etc_t and /etc/gshadow shadow_t. The label is copied even with
 * SELinux disabled, so that turning it on later finds them right.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#ifdef HAVE_SELINUX
#include <selinux/selinux.h>
#endif

#include "label.h"
#include "util.h"

#ifdef HAVE_SELINUX

bool
pog_label_supported(void)
{
	return true;
}

pog_err
pog_label_copy(const char *ref, int fd, char **errmsg)
{
	char *con = NULL;
	pog_err err = POG_OK;

	if (getfilecon_raw(ref, &con) < 0) {
		/* no label, or a file system without labels: nothing to keep */
		if (errno == ENODATA || errno == ENOTSUP || errno == EOPNOTSUPP)
			return POG_OK;
		*errmsg = pog_asprintf("%s: cannot read its SELinux context: %s", ref,
				       strerror(errno));
		return POG_ERR_SYSTEM;
	}
	if (fsetfilecon_raw(fd, con) < 0 && is_selinux_enabled() > 0) {
		*errmsg = pog_asprintf("cannot give the new %s its SELinux context %s: %s",
				       ref, con, strerror(errno));
		err = POG_ERR_SYSTEM;
	}
	freecon(con);
	return err;
}

#else /* !HAVE_SELINUX */

bool
pog_label_supported(void)
{
	return false;
}

pog_err
pog_label_copy(const char *ref, int fd, char **errmsg)
{
	(void)ref;
	(void)fd;
	(void)errmsg;
	return POG_OK;
}

#endif
