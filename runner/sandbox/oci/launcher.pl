#!/usr/bin/perl
# Starts the OCI runtime's processes for the oci driver, and guards the
# containers of both drivers against outliving the runner (see launcher.ts).
#
# Why a helper: Node forks its whole process to spawn a child, and on a runner
# with a few hundred MiB of heap that fork blocks the event loop for 10-30 ms
# per container. This small process forks in well under a millisecond. Perl
# because perl-base is part of every Debian system (it is "Essential") and,
# unlike the shell, makes FIFOs and system calls without other programs.
#
# Usage: perl launcher.pl RUNNER-PID. One request per line on stdin, fields
# separated by tabs (the runner's own paths and the runtime's arguments, never
# user input):
#   hello ID                 answers "ready ID" (the runner's first request)
#   run ID DIR CGROUP ARG... makes the FIFOs DIR/stdin, DIR/stdout, DIR/stderr,
#                            answers "ready ID", then runs ARG... on them;
#                            CGROUP is the run's cgroup ("-": none), killed
#                            and removed if the runner dies (see below)
#   call ID ARG...           runs ARG... with no input or output
#   jail ID DIR CGROUP UID LIMITS PTYS ARGV FILE...
#                            as run, but the command starts confined (the
#                            bwrap driver): its process joins CGROUP in every
#                            hierarchy that has it, gets oom_score_adj 1000,
#                            a mount namespace of its own where DIR/pts is a
#                            new devpts instance of at most PTYS terminals,
#                            the FILEs opened read-only as fds 3, 4, ...,
#                            the rlimits LIMITS (RESOURCE:SOFT:HARD,...), then
#                            drops to uid and gid UID (no other groups) and
#                            no_new_privs before it execs the command read
#                            from the file ARGV (NUL-terminated arguments:
#                            they may hold a run's args, any bytes but NUL)
#   guard ID CGROUP...       kills these cgroups if the runner dies, until
#   release ID               ends that guard (answer "exit ID 0")
# When a command ends the answer is "exit ID STATUS" (128+N for signal N).
# Each answer is one short write, so answers never interleave.
#
# When the runner dies, however it dies, its containers die with it, each
# link of the chain by the kernel's parent-death signal (parent-death.pl):
# the runner's death kills this loop (SIGKILL); that sends each waiter
# SIGTERM, on which it kills its run's cgroup until the runtime's process has
# exited, removes the cgroup and exits; the runtime's process gets SIGKILL
# when its waiter ends. A waiter never reads the runner's stdin: before this,
# one blocked opening a FIFO whose other end the dead runner would never
# open, or waiting for a container nobody would end, stayed for ever.
use strict;
use warnings;
use File::Basename qw(dirname);
use POSIX qw(mkfifo _exit WNOHANG SIGKILL SIGTERM SIG_BLOCK SIG_UNBLOCK);

require(dirname(__FILE__) . '/parent-death.pl');

my $runner = shift @ARGV;
die "usage: launcher.pl RUNNER-PID\n" unless defined $runner && $runner =~ /^\d+$/;
my $launcher = $$;
exit 0 if set_parent_death_signal(SIGKILL, $runner);

$| = 1;
# Each command gets a waiter process that reports how it ended, so this loop
# never handles signals (a SIGCHLD handler can stay undispatched while perl
# sits in a blocking read). The waiters themselves are reaped by the kernel.
$SIG{CHLD} = 'IGNORE';
open(my $report, '>&', \*STDOUT) or die "dup stdout: $!";
$report->autoflush(1);

my $CGROUPS = '/sys/fs/cgroup';
my $GIVE_UP_AFTER = 60; # seconds an orphaned waiter keeps killing
my %guards;             # guard id => its waiter's pid

sub pause { select(undef, undef, undef, $_[0]) }

# Every pid listed in a cgroup and the cgroups under it.
sub cgroup_pids {
    my ($dir) = @_;
    my @pids;
    if (open(my $procs, '<', "$dir/cgroup.procs")) {
        @pids = grep { /^\d+$/ } map { chomp; $_ } <$procs>;
        close $procs;
    }
    if (opendir(my $d, $dir)) {
        push @pids, cgroup_pids("$dir/$_") for grep { !/^\./ && -d "$dir/$_" } readdir $d;
        closedir $d;
    }
    return @pids;
}

sub write_file {
    my ($file, $value) = @_;
    open(my $f, '>', $file) or return 0;
    my $ok = print $f $value;
    return close($f) && $ok;
}

# Kills every process in the cgroup once, as cgroup-kill.ts does: cgroup.kill
# on v2; on v1 the freezer first (nothing forks or frees a pid meanwhile),
# then SIGKILL to each pid listed. Returns how many processes were listed.
sub kill_cgroup {
    my ($cgroup) = @_;
    if (-e "$CGROUPS/cgroup.controllers") {
        my $dir = "$CGROUPS$cgroup";
        my @pids = cgroup_pids($dir);
        kill 'KILL', @pids if @pids && !write_file("$dir/cgroup.kill", '1');
        return scalar @pids;
    }
    my $freezer = "$CGROUPS/freezer$cgroup";
    my $frozen = -d $freezer && write_file("$freezer/freezer.state", 'FROZEN');
    for (1 .. 100) {
        last unless $frozen;
        open(my $state, '<', "$freezer/freezer.state") or last;
        my $now = <$state> // '';
        last if $now =~ /^FROZEN/;
        pause(0.01);
    }
    my @pids = cgroup_pids($frozen ? $freezer : "$CGROUPS/pids$cgroup");
    kill 'KILL', @pids;
    write_file("$freezer/freezer.state", 'THAWED') if $frozen;
    return scalar @pids;
}

# Removes the cgroup in every hierarchy once it is empty (a killed process
# keeps it busy for a moment).
sub remove_cgroup {
    my ($cgroup) = @_;
    my @roots = ($CGROUPS);
    if (!-e "$CGROUPS/cgroup.controllers" && opendir(my $d, $CGROUPS)) {
        @roots = map { "$CGROUPS/$_" } grep { !/^\./ } readdir $d;
        closedir $d;
    }
    remove_tree("$_$cgroup") for @roots;
}

sub remove_tree {
    my ($dir) = @_;
    return unless -d $dir && !-l $dir;
    if (opendir(my $d, $dir)) {
        remove_tree("$dir/$_") for grep { !/^\./ && -d "$dir/$_" } readdir $d;
        closedir $d;
    }
    for (1 .. 50) {
        last if rmdir($dir) || !-d $dir;
        pause(0.02);
    }
}

# The runner is gone: kill the cgroups until they are empty and the command
# (the runtime's `run`, which could still be creating the container) has
# exited, then remove the run's cgroup. Never returns.
sub orphaned {
    my ($child, $remove, @cgroups) = @_;
    my $until = time + $GIVE_UP_AFTER;
    while (@cgroups && time < $until) {
        my $listed = 0;
        $listed += kill_cgroup($_) for @cgroups;
        my $running = $child && waitpid($child, WNOHANG) == 0;
        last if !$listed && !$running;
        pause(0.05);
    }
    remove_cgroup($_) for $remove ? @cgroups : ();
    _exit(0);
}

# Makes the current process a waiter: on SIGTERM (sent when the launcher,
# its parent, dies) it calls orphaned(). The handler is armed before the
# parent-death signal, and the signal blocked while a child is being forked.
sub guard_as_waiter {
    my ($child, $remove, @cgroups) = @_;
    $SIG{TERM} = sub { orphaned($$child, $remove, @cgroups) };
    kill 'TERM', $$ if set_parent_death_signal(SIGTERM, $launcher);
}

# In a waiter of its own (the loop goes on at once), runs the command with the
# standard streams given and reports its exit status (128+N for signal N).
sub start {
    my ($id, $cgroup, $stdin, $stdout, $stderr, @command) = @_;
    my $prepare = ref $command[0] eq 'CODE' ? shift @command : undef;
    my $waiter = fork();
    if (!defined $waiter) {
        print "exit $id 255\n";
        return;
    }
    return if $waiter;
    $SIG{CHLD} = 'DEFAULT';
    $SIG{PIPE} = 'IGNORE'; # a dead runner no longer reads the answer
    my $child = 0;
    guard_as_waiter(\$child, 1, $cgroup eq '-' ? () : ($cgroup)) if $stdin ne '/dev/null';
    my $status = 255;
    # Opening a FIFO waits for its other end: the runner opens its ends on "ready".
    if (open(STDIN, '<', $stdin) && open(STDOUT, '>', $stdout) && open(STDERR, '>', $stderr)) {
        my $term = POSIX::SigSet->new(SIGTERM);
        my $me = $$;
        POSIX::sigprocmask(SIG_BLOCK, $term);
        my $pid = fork();
        if (defined $pid && $pid == 0) {
            # The command ends with its waiter (and with crun, the container's tini with the
            # runtime's process: see bundle.ts).
            $SIG{$_} = 'DEFAULT' for qw(TERM INT QUIT PIPE CHLD);
            POSIX::sigprocmask(SIG_UNBLOCK, $term);
            _exit(127) if set_parent_death_signal(SIGKILL, $me);
            if ($prepare) {
                my $error = $prepare->();
                # Changing ids clears the parent-death signal: ask for it again.
                $error //= 'the waiter died' if set_parent_death_signal(SIGKILL, $me);
                if (defined $error) {
                    print STDERR "sam-launcher: $error\n";
                    _exit(125);
                }
            }
            { no warnings 'exec'; exec { $command[0] } @command; }
            _exit(127);
        }
        $child = $pid // 0;
        POSIX::sigprocmask(SIG_UNBLOCK, $term);
        if ($child) {
            # As system() does: a Ctrl-C to the runner's group reaches the command, not its waiter.
            local $SIG{INT} = 'IGNORE';
            local $SIG{QUIT} = 'IGNORE';
            my $waited;
            do { $waited = waitpid($child, 0) } until $waited == $child || $waited == -1;
            $status = $waited == -1 ? 255 : ($? & 127) ? 128 + ($? & 127) : $? >> 8;
        }
    }
    print $report "exit $id $status\n";
    _exit(0);
}

# prlimit64's, unshare's and mount's numbers per architecture.
my %PRLIMIT = (x86_64 => 302, aarch64 => 261, riscv64 => 261);
my %UNSHARE = (x86_64 => 272, aarch64 => 97, riscv64 => 97);
my %MOUNT = (x86_64 => 165, aarch64 => 40, riscv64 => 40);
use constant { CLONE_NEWNS => 0x20000, MS_NOSUID => 2, MS_NOEXEC => 8, MS_REC => 0x4000, MS_PRIVATE => 0x40000 };

# Pseudo-terminals are one pool for the machine (kernel.pty.max less the
# host's reserve), shared by every devpts instance: bwrap's own instance has
# no maximum, so one sandbox could take them all. In a mount namespace of
# this process (private: nothing reaches the host), DIR/pts becomes an
# instance of at most PTYS, which bwrap binds over its own /dev/pts.
sub private_ptys {
    my ($arch, $dir, $ptys) = @_;
    my ($unshare, $mount) = ($UNSHARE{$arch}, $MOUNT{$arch});
    return "no unshare/mount numbers known for $arch" unless $unshare && $mount;
    syscall($unshare, CLONE_NEWNS) == 0 or return "unshare: $!";
    # perl's syscall passes strings by pointer, and only from variables.
    my ($root, $source, $target, $type, $options) = ('/', 'devpts', "$dir/pts", 'devpts', "newinstance,ptmxmode=0666,mode=0620,max=$ptys");
    syscall($mount, 0, $root, 0, MS_REC | MS_PRIVATE, 0) == 0 or return "mount --make-rprivate /: $!";
    syscall($mount, $source, $target, $type, MS_NOSUID | MS_NOEXEC, $options) == 0 or return "mount devpts: $!";
    return undef;
}
use constant PR_SET_NO_NEW_PRIVS => 38;

# Puts the current process (about to exec the jail's command) in the run's
# cgroup and drops it to the run's own unprivileged host id; returns an error
# message, or undef. Everything it does is before the command exists, so the
# whole sandbox, bwrap included, is counted and limited from its first page.
sub confine {
    my ($dir, $cgroup, $id, $limits, $ptys, @files) = @_;
    my @dirs = -e "$CGROUPS/cgroup.controllers" ? ("$CGROUPS$cgroup") : ();
    if (!@dirs && opendir(my $d, $CGROUPS)) {
        # v1: every hierarchy the run's cgroup was made in (cpu and cpuacct may be links to one).
        @dirs = grep { -d $_ } map { "$CGROUPS/$_$cgroup" } grep { !/^\./ && !-l "$CGROUPS/$_" } readdir $d;
        closedir $d;
    }
    return "no cgroup $cgroup" unless @dirs;
    for (@dirs) { return "cannot join $_: $!" unless write_file("$_/cgroup.procs", "$$") }
    return "oom_score_adj: $!" unless write_file('/proc/self/oom_score_adj', '1000');
    my ($arch) = $Config::Config{archname} =~ /^([^-]+)/;
    if ($ptys) {
        my $error = private_ptys($arch // '', $dir, $ptys);
        return $error if defined $error;
    }
    my @fds;
    for my $file (@files) {
        my $fd = POSIX::open($file, POSIX::O_RDONLY());
        return "cannot open $file: $!" unless defined $fd;
        push @fds, $fd;
    }
    # Each to 3, 4, ... in order, through numbers above any perl holds (dup2 leaves close-on-exec off).
    for my $i (0 .. $#fds) { POSIX::dup2($fds[$i], 200 + $i) // return "dup2: $!"; POSIX::close($fds[$i]) }
    for my $i (0 .. $#fds) { POSIX::dup2(200 + $i, 3 + $i) // return "dup2: $!"; POSIX::close(200 + $i) }
    # Nothing else the runner's process inherited reaches the sandbox (bwrap passes every open fd on).
    opendir(my $open, '/proc/self/fd') or return "/proc/self/fd: $!";
    my @inherited = grep { /^\d+$/ && $_ >= 3 + @fds } readdir $open;
    closedir $open;
    POSIX::close($_) for @inherited;
    my $prlimit = $PRLIMIT{$arch // ''} // return "no prlimit64 number known for $Config::Config{archname}";
    for (split /,/, $limits) {
        my ($resource, $soft, $hard) = split /:/;
        syscall($prlimit, 0, $resource + 0, pack('QQ', $soft, $hard), 0) == 0 or return "prlimit $resource: $!";
    }
    $) = "$id $id";
    POSIX::setgid($id) or return "setgid: $!";
    POSIX::setuid($id) or return "setuid: $!";
    return 'the ids did not change' unless $< == $id && $> == $id && $( == $id && $) eq "$id $id";
    syscall(prctl_number(), PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 or return "no_new_privs: $!";
    return undef;
}

# A waiter that starts nothing: it kills the cgroups if the runner dies, and
# is ended (SIGKILL, nothing to clean up) when the runner releases it.
sub start_guard {
    my ($id, @cgroups) = @_;
    my $waiter = fork();
    if (!defined $waiter) {
        print "exit $id 255\n";
        return;
    }
    if ($waiter) {
        $guards{$id} = $waiter;
        print "ready $id\n";
        return;
    }
    $SIG{CHLD} = 'DEFAULT';
    my $none = 0;
    guard_as_waiter(\$none, 0, @cgroups);
    pause(3600) while 1;
}

while (my $line = <STDIN>) {
    chomp $line;
    my ($kind, $id, @rest) = split /\t/, $line;
    next unless defined $id;
    if ($kind eq 'hello') {
        print "ready $id\n";
    } elsif ($kind eq 'run') {
        my ($dir, $cgroup, @command) = @rest;
        my @fifos = map { "$dir/$_" } qw(stdin stdout stderr);
        if (!@command || grep { !mkfifo($_, 0600) } @fifos) {
            print "exit $id 255\n";
            next;
        }
        print "ready $id\n";
        start($id, $cgroup, @fifos, @command);
    } elsif ($kind eq 'jail') {
        my ($dir, $cgroup, $uid, $limits, $ptys, $argv, @files) = @rest;
        my @args;
        if (defined $argv && open(my $f, '<', $argv)) {
            local $/ = "\0";
            @args = map { chomp; $_ } <$f>;
            close $f;
        }
        my @fifos = map { "$dir/$_" } qw(stdin stdout stderr);
        if ($cgroup eq '-' || $uid !~ /^[1-9]\d*$/ || ($ptys // '') !~ /^\d+$/ || !@args || grep { !mkfifo($_, 0600) } @fifos) {
            print "exit $id 255\n";
            next;
        }
        print "ready $id\n";
        start($id, $cgroup, @fifos, sub { confine($dir, $cgroup, $uid, $limits, $ptys, @files) }, @args);
    } elsif ($kind eq 'call') {
        start($id, '-', '/dev/null', '/dev/null', '/dev/null', @rest);
    } elsif ($kind eq 'guard') {
        start_guard($id, @rest);
    } elsif ($kind eq 'release') {
        my $pid = delete $guards{$id};
        kill 'KILL', $pid if $pid;
        print "exit $id 0\n";
    }
}
