#!/usr/bin/perl
# Starts the OCI runtime's processes for the oci driver (see launcher.ts).
#
# Why a helper: Node forks its whole process to spawn a child, and on a runner
# with a few hundred MiB of heap that fork blocks the event loop for 10-30 ms
# per container. This small process forks in well under a millisecond. Perl
# because perl-base is part of every Debian system (it is "Essential") and,
# unlike the shell, makes FIFOs without starting another program.
#
# One request per line on stdin, fields separated by tabs (the runner's own
# paths and the runtime's arguments, never user input):
#   hello ID            answers "ready ID" (the runner's first request)
#   run ID DIR ARG...   makes the FIFOs DIR/stdin, DIR/stdout, DIR/stderr,
#                       answers "ready ID", then runs ARG... on them
#   call ID ARG...      runs ARG... with no input or output
# When a command ends the answer is "exit ID STATUS" (128+N for signal N).
# Each answer is one short write, so answers never interleave. When the
# runner goes away stdin ends and so does this loop; commands already
# started finish on their own.
use strict;
use warnings;
use POSIX qw(mkfifo _exit);

$| = 1;
# Each command gets a waiter process that reports how it ended, so this loop
# never handles signals (a SIGCHLD handler can stay undispatched while perl
# sits in a blocking read). The waiters themselves are reaped by the kernel.
$SIG{CHLD} = 'IGNORE';
open(my $report, '>&', \*STDOUT) or die "dup stdout: $!";
$report->autoflush(1);

# In a waiter of its own (the loop goes on at once), runs the command with the
# standard streams given and reports its exit status (128+N for signal N).
sub start {
    my ($id, $stdin, $stdout, $stderr, @command) = @_;
    my $waiter = fork();
    if (!defined $waiter) {
        print "exit $id 255\n";
        return;
    }
    return if $waiter;
    $SIG{CHLD} = 'DEFAULT';
    my $status = 255;
    # Opening a FIFO waits for its other end: the runner opens its ends on "ready".
    if (open(STDIN, '<', $stdin) && open(STDOUT, '>', $stdout) && open(STDERR, '>', $stderr)) {
        system { $command[0] } @command;
        $status = $? == -1 ? 255 : ($? & 127) ? 128 + ($? & 127) : $? >> 8;
    }
    print $report "exit $id $status\n";
    _exit(0);
}

while (my $line = <STDIN>) {
    chomp $line;
    my ($kind, $id, @rest) = split /\t/, $line;
    next unless defined $id;
    if ($kind eq 'hello') {
        print "ready $id\n";
    } elsif ($kind eq 'run') {
        my $dir = shift @rest;
        my @fifos = map { "$dir/$_" } qw(stdin stdout stderr);
        if (grep { !mkfifo($_, 0600) } @fifos) {
            print "exit $id 255\n";
            next;
        }
        print "ready $id\n";
        start($id, @fifos, @rest);
    } elsif ($kind eq 'call') {
        start($id, '/dev/null', '/dev/null', '/dev/null', @rest);
    }
}
