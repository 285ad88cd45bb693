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
use POSIX qw(mkfifo _exit WNOHANG SIGCHLD SIG_BLOCK SIG_UNBLOCK sigprocmask);

$| = 1;
my %running;    # pid => request id

# Reports the commands that ended. (Perl runs signal handlers between
# operations, so a report never lands inside another answer, and reading
# stdin carries on after the signal.)
$SIG{CHLD} = sub {
    while ((my $pid = waitpid(-1, WNOHANG)) > 0) {
        my $id = delete $running{$pid};
        next unless defined $id;
        my $status = ($? & 127) ? 128 + ($? & 127) : $? >> 8;
        print "exit $id $status\n";
    }
};

# Runs the command in a child with the standard streams given; the loop goes on at once.
sub start {
    my ($id, $stdin, $stdout, $stderr, @command) = @_;
    # Until the pid is recorded, its end must not be reported (it would have no id yet).
    my $chld = POSIX::SigSet->new(SIGCHLD);
    sigprocmask(SIG_BLOCK, $chld);
    my $pid = fork();
    if (defined $pid && $pid == 0) {
        $SIG{CHLD} = 'DEFAULT';
        sigprocmask(SIG_UNBLOCK, $chld);
        # Opening a FIFO waits for its other end: the runner opens its ends on "ready".
        open(STDIN, '<', $stdin) && open(STDOUT, '>', $stdout) && open(STDERR, '>', $stderr) or _exit(255);
        { no warnings 'exec'; exec { $command[0] } @command; }
        _exit(255);
    }
    if (defined $pid) {
        $running{$pid} = $id;
    } else {
        print "exit $id 255\n";
    }
    sigprocmask(SIG_UNBLOCK, $chld);
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
