#!/usr/bin/perl
# syslogd.pl [--stream] [--ready FILE] [--ends FILE] SOCKET LOGFILE
#
# A stand-in for the system logger, for the tests that must see what the
# module (or sshd, login...) logs: it binds SOCKET, mode 0666, and appends
# what it receives to LOGFILE (opened for appending, so a test may empty
# it with `: >LOGFILE` at any time). It runs until SIGTERM or SIGINT.
#
#   (default)     a datagram socket, as /dev/log usually is: each message,
#                 its trailing NULs and newlines dropped, becomes one line
#                 of LOGFILE (tests/ns.sh, tests/test-secrets.sh).
#   --stream      a stream socket, to which glibc's syslog(3) falls back
#                 when /dev/log is not a datagram one, ending every record
#                 with a NUL: the bytes are appended raw, as received, so a
#                 record that holds a newline or an escape byte shows up as
#                 exactly that (tests/evil/lib.sh, read with grep -z).
#   --ends FILE   with --stream: emptied at start, then one line "end" is
#                 appended each time a client hangs up, after all it sent
#                 is in LOGFILE, so a test can wait for a process's last
#                 words.
#   --ready FILE  written with this process's pid once SOCKET accepts
#                 messages.
use strict;
use warnings;
use Getopt::Long qw(GetOptions);
use IO::Handle;
use IO::Select;
use Socket;

my ($stream, $ready, $ends) = (0, undef, undef);
GetOptions('stream' => \$stream, 'ready=s' => \$ready, 'ends=s' => \$ends) && @ARGV == 2 &&
	(!defined $ends || $stream)
	or die "usage: syslogd.pl [--stream] [--ready FILE] [--ends FILE] SOCKET LOGFILE\n" .
	"(--ends needs --stream)\n";
my ($path, $out) = @ARGV;

open(my $o, '>>', $out) or die "$out: $!\n";
$o->autoflush(1);
my $e;
if (defined $ends) {
	open($e, '>', $ends) or die "$ends: $!\n";
	$e->autoflush(1);
}
unlink $path;
socket(my $s, PF_UNIX, $stream ? SOCK_STREAM : SOCK_DGRAM, 0) or die "socket: $!\n";
bind($s, pack_sockaddr_un($path)) or die "bind $path: $!\n";
!$stream || listen($s, SOMAXCONN) or die "listen $path: $!\n";
chmod 0666, $path or die "chmod $path: $!\n";
$SIG{TERM} = $SIG{INT} = sub { exit 0 };
if (defined $ready) {
	open(my $r, '>', $ready) or die "$ready: $!\n";
	print $r "$$\n";
	close $r or die "$ready: $!\n";
}

if (!$stream) {
	while (1) {
		my $buf = '';
		defined(recv($s, $buf, 65536, 0)) or next;
		$buf =~ s/\0+$//;
		$buf =~ s/\n+$//;
		print $o "$buf\n";
	}
}

my $sel = IO::Select->new($s);
while (1) {
	for my $h ($sel->can_read) {
		if ($h == $s) {
			my $c;
			$sel->add($c) if accept($c, $s);
			next;
		}
		my $n = sysread($h, my $buf, 65536);
		if ($n) {
			print $o $buf;
			next;
		}
		# End of file, or an error (a reset): the client is gone.
		$sel->remove($h);
		close $h;
		print $e "end\n" if $e;
	}
}
