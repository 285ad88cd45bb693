# A room terminal's first program inside the sandbox (runner/terminal/language.ts
# passes it to the launcher, sandbox/images/runtime/sam-run, as the run command):
# bash in a pseudo-terminal, so the shell has job control, prompts and colours.
# Its stdin carries frames from the runner (lib/terminals/frames.ts): "d" keys
# typed, "r" a window size, "f" a request for the project folder's files (answered
# on stderr, which only this wrapper writes: see list_files). Everything the terminal shows goes to stdout. It
# ends when the shell exits or the runner closes stdin; the runner ends the
# whole sandbox in any case (nothing started here outlives it).
import base64, errno, fcntl, json, os, pty, select, signal, stat, struct, sys, termios

ENV = {
    "TERM": "xterm-256color",
    "HOME": "/work",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "LANG": "C.UTF-8",
    "SHELL": "/bin/bash",
    "PS1": "\\[\\e[1;32m\\]\\w\\[\\e[0m\\]$ ",
}

pid, master = pty.fork()
if pid == 0:
    os.chdir("/work")
    os.execve("/bin/bash", ["bash", "--noprofile", "--norc", "-i"], ENV)

def resize(payload):
    try:
        cols, rows = (int(v) for v in payload.decode("ascii").split(","))
        fcntl.ioctl(master, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    except (ValueError, OSError):
        pass

# What one answer may list (lib/terminals/files.ts checks it again): text files only, as a run takes them.
MAX_FILES = 100
MAX_BYTES = 1 << 20
MAX_ENTRIES = 5000


def list_files(request_id):
    files, skipped, total, seen = [], [], 0, 0
    for root, dirs, names in os.walk("/work"):
        dirs.sort()
        for name in sorted(names):
            seen += 1
            if seen > MAX_ENTRIES:
                skipped.append({"path": ".", "reason": "the folder holds too many entries; only the first were read"})
                return answer(request_id, files, skipped)
            full = os.path.join(root, name)
            rel = os.path.relpath(full, "/work")
            try:
                st = os.lstat(full)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append({"path": rel, "reason": "not a regular file"})
            elif len(files) >= MAX_FILES:
                skipped.append({"path": rel, "reason": "more files than a room's run takes"})
            elif total + st.st_size > MAX_BYTES:
                skipped.append({"path": rel, "reason": "too large"})
            else:
                try:
                    fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
                    try:
                        data = os.read(fd, MAX_BYTES - total + 1)
                    finally:
                        os.close(fd)
                    text = data.decode("utf-8")
                    if "\0" in text:
                        raise ValueError
                except (OSError, UnicodeDecodeError, ValueError):
                    skipped.append({"path": rel, "reason": "not text"})
                    continue
                if total + len(data) > MAX_BYTES:
                    skipped.append({"path": rel, "reason": "too large"})
                    continue
                total += len(data)
                files.append({"path": rel, "content": text})
    answer(request_id, files, skipped)


def answer(request_id, files, skipped):
    body = base64.b64encode(json.dumps({"files": files, "skipped": skipped[:1000]}).encode())
    out = b"\nSAMFILES " + request_id + b" " + body + b"\n"
    while out:
        out = out[os.write(2, out) :]


frames = b""
pending = b""
stdin_open = True
status = None
while status is None:
    readers = [master] + ([0] if stdin_open and len(pending) < 1 << 20 else [])
    writers = [master] if pending else []
    try:
        ready, writable, _ = select.select(readers, writers, [], 0.5)
    except InterruptedError:
        continue
    # The shell exited: the session is over, even if a job it left still holds the terminal.
    done, waited = os.waitpid(pid, os.WNOHANG)
    if done:
        status = waited
        ready = [master] if master in ready else []
    if master in ready:
        try:
            out = os.read(master, 65536)
        except OSError as e:
            if e.errno != errno.EIO:
                raise
            out = b""
        if not out:
            break  # the shell (and every process holding the terminal) is gone
        os.write(1, out)
    if 0 in ready:
        chunk = os.read(0, 65536)
        if not chunk:
            stdin_open = False
            break  # the runner ended the session
        frames += chunk
        while len(frames) >= 5:
            kind, size = frames[0:1], struct.unpack(">I", frames[1:5])[0]
            if len(frames) < 5 + size:
                break
            payload, frames = frames[5 : 5 + size], frames[5 + size :]
            if kind == b"d":
                pending += payload
            elif kind == b"r":
                resize(payload)
            elif kind == b"f" and len(payload) == 16:
                list_files(payload)
    if pending and master in writable:
        try:
            pending = pending[os.write(master, pending[:4096]) :]
        except OSError:
            pending = b""

if status is None:
    try:
        os.kill(pid, signal.SIGHUP)
    except OSError:
        pass
    _, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
