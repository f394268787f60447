"""Helpers of bench/bench.py: the sandbox, a watched refresh, the console in a pty, the table's rows."""
import json
import os
import re
import select
import shutil
import signal
import ssl
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

try:
    import pyte
except ImportError:  # pyenv's python first in PATH; Debian's has python3-pyte
    pyte = None
    if os.path.realpath(sys.executable) != os.path.realpath("/usr/bin/python3") and os.path.exists("/usr/bin/python3"):
        r = subprocess.run(["/usr/bin/python3", "-c", "import pyte"], capture_output=True)
        if r.returncode == 0:
            os.execv("/usr/bin/python3", ["/usr/bin/python3"] + sys.argv)

BUILD = os.path.abspath(os.environ.get("CHATSYNC_TEST_BUILDDIR", "."))
SRC = os.path.abspath(os.environ.get("CHATSYNC_TEST_SRCDIR", os.path.join(os.path.dirname(__file__), "..")))
SMALL = os.environ.get("BENCH_SCALE") == "small"
ONLY = set(filter(None, os.environ.get("BENCH_ONLY", "").split(",")))
GRAPH_WINDOW = float(os.environ.get("BENCH_GRAPH_WINDOW", "10"))
SDK1_CHATS = int(os.environ.get("BENCH_SDK1_CHATS", "60" if SMALL else "300"))
OUT = os.path.join(BUILD, "bench", "out")
os.makedirs(OUT, exist_ok=True)
LOG_PATH = os.environ.get("BENCH_LOG", os.path.join(OUT, "details.log"))
CHATSYNC = os.path.join(BUILD, "chatsync")
SANDBOX = os.path.join(BUILD, "chatsync-sandbox")
NOW_ISO = "2026-11-14T09:12:00Z"  # the fixtures' clock

# Sizes: (full, small)
W1_ENVS, W1_PER_ENV = (4, 500) if SMALL else (20, 2500)
W3_ENVS, W3_PER_ENV = (3, 100) if SMALL else (3, 1000)
CONSOLE_CHATS = 10000 if SMALL else 100000
HISTORY_CHATS, HISTORY_REFRESHES = (10000, 5) if SMALL else (100000, 30)
SCALES = [1000, 3000, 10000] if SMALL else [10000, 30000, 100000]

rows = []  # (workload, figure, measured, compared with, verdict)
logf = open(LOG_PATH, "w")
T_START = time.time()


def log(*a):
    print(*a, file=logf, flush=True)


def say(msg):
    print(f"bench [{time.time() - T_START:6.0f} s] {msg}", file=sys.stderr, flush=True)
    log("==", msg)


def row(workload, figure, measured, compared="", verdict="info"):
    rows.append((workload, figure, measured, compared, verdict))
    log("ROW", workload, "|", figure, "|", measured, "|", compared, "|", verdict)


def verdict(ok):
    return "ok" if ok else "MISSED"


def want(part):
    return not ONLY or part in ONLY


def pct(values, p):
    if not values:
        return float("nan")
    v = sorted(values)
    k = min(len(v) - 1, max(0, int(round(p / 100.0 * (len(v) - 1)))))
    return v[k]


def iso_to_epoch(s):
    return datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=timezone.utc).timestamp()


def base_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSYNC_")}
    env.update(HOME=home, XDG_CONFIG_HOME=os.path.join(home, "config"), XDG_STATE_HOME=os.path.join(home, "state"),
               XDG_CACHE_HOME=os.path.join(home, "cache"), LC_ALL="C.UTF-8", LANGUAGE="")
    for d in ("config", "state", "cache"):
        os.makedirs(os.path.join(home, d), exist_ok=True)
    return env


def wait4(pid, timeout=None):
    """(exit status, rusage) of a child, waiting at most timeout seconds (then SIGKILL)."""
    deadline = None if timeout is None else time.time() + timeout
    while True:
        flags = 0 if deadline is None else os.WNOHANG
        p, st, ru = os.wait4(pid, flags)
        if p == pid:
            return os.waitstatus_to_exitcode(st), ru
        if deadline is not None and time.time() > deadline:
            os.kill(pid, signal.SIGKILL)
            deadline = None
        time.sleep(0.01)


def run_measured(argv, env, stdout=subprocess.DEVNULL, timeout=600):
    """Runs argv; (wall s, peak RSS MB, exit status, stdout bytes when stdout is PIPE)."""
    t0 = time.time()
    p = subprocess.Popen(argv, env=env, stdout=stdout, stderr=subprocess.PIPE)
    out = b""
    if stdout == subprocess.PIPE:
        out = p.stdout.read()
    err = p.stderr.read()
    st, ru = wait4(p.pid, timeout)
    p.returncode = st
    wall = time.time() - t0
    if err:
        log("stderr of", " ".join(argv[:6]), ":", err.decode(errors="replace")[-2000:])
    return wall, ru.ru_maxrss / 1024.0, st, out


def proc_cpu(pid):
    """CPU seconds (user + system, all threads) the process has used so far."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


# ---------------------------------------------------------------- the sandbox


class Sandbox:
    def __init__(self, envs, per_env, extra=()):
        self.dir = tempfile.mkdtemp(prefix="chatsync-bench-")
        self.config = os.path.join(self.dir, "config")
        self.rlog = os.path.join(self.dir, "requests.jsonl")
        argv = [SANDBOX, "--port", "0", "--dir", self.dir, "--write-profile", self.config, "--request-log", self.rlog,
                "--envs", str(envs), "--chats-per-env", str(per_env), "--quiet", *extra]
        env = {k: v for k, v in os.environ.items() if not k.startswith("CHATSYNC_")}
        t0 = time.time()
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, env=env)
        line = self.p.stdout.readline().decode()
        self.start_s = time.time() - t0
        m = re.match(r"listening (https://\S+) ca=(\S+)", line)
        if not m:
            raise RuntimeError(f"the sandbox did not start ({argv})")
        self.base, self.ca = m.group(1), m.group(2)
        self.ctx = ssl.create_default_context(cafile=self.ca)
        self.pos = 0
        self.entries = []
        log(f"sandbox {envs} x {per_env} {' '.join(extra)}: {self.base} in {self.start_s:.2f} s")

    def stop(self, keep=None):
        """Stops it; keep: a name to keep its request log as, in <builddir>/bench/out/."""
        if keep:
            try:
                shutil.copy(self.rlog, os.path.join(OUT, keep + ".jsonl"))
            except OSError:
                pass
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        shutil.rmtree(self.dir, ignore_errors=True)

    def http(self, method, url, body=None, headers=None):
        data = None
        h = dict(headers or {})
        if body is not None:
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            h.setdefault("Content-Type", "application/json")
        req = urllib.request.Request(url, data=data, method=method, headers=h)
        with urllib.request.urlopen(req, context=self.ctx, timeout=60) as r:
            return r.status, r.read()

    def control(self, what, body):
        return self.http("POST", f"{self.base}/_sandbox/{what}", body)

    def token(self, scope):
        conf = {}
        section = None
        with open(self.config) as f:
            for line in f:
                m = re.match(r"\s*\[profile (\S+)\]", line)
                if m:
                    section = m.group(1)
                m = re.match(r"\s*([a-z_]+)\s*=\s*(.*?)\s*$", line)
                if m and section == "sandbox":
                    conf.setdefault(m.group(1), m.group(2))
        with open(conf["client_secret_file"]) as f:
            secret = f.read().strip()
        body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": conf["client_id"],
                                       "client_secret": secret, "scope": scope}).encode()
        _, out = self.http("POST", f"{conf['authority']}/{conf['tenant']}/oauth2/v2.0/token", body,
                           {"Content-Type": "application/x-www-form-urlencoded"})
        return json.loads(out)["access_token"]

    def poll_log(self):
        """Reads the request log lines written since the last call."""
        try:
            with open(self.rlog, "rb") as f:
                f.seek(self.pos)
                data = f.read()
        except OSError:
            return []
        end = data.rfind(b"\n")
        if end < 0:
            return []
        self.pos += end + 1
        new = []
        for line in data[:end].split(b"\n"):
            try:
                e = json.loads(line)
            except ValueError:
                continue
            if e.get("path", "").startswith("/_sandbox"):
                continue
            e["end"] = iso_to_epoch(e["t"])
            e["start"] = e["end"] - e.get("latency_ms", 0) / 1000.0
            new.append(e)
        self.entries.extend(new)
        return new

    def mark(self):
        self.poll_log()
        return len(self.entries)

    def since(self, mark):
        self.poll_log()
        return self.entries[mark:]


def is_graph(e):
    return e["path"].startswith("/graph/")


def is_dataverse(e):
    return e["path"].startswith("/env/")


def graph_bucket(path):
    if path.endswith("/installedApps"):
        return "installedApps"
    if path.endswith("/permissionGrants"):
        return "permissionGrants"
    if re.match(r"^/graph/v1\.0/chats/[^/]+$", path):
        return "get chat"
    return "other"


# ---------------------------------------------------------------- a refresh, watched


def run_refresh(sb, cache, home, graph_s=None, args=()):
    """Runs chatsync refresh against sb. graph_s None: to its end; else SIGINT graph_s seconds after the
    first Graph request. Returns what was seen: log entries, progress lines, CPU samples, rusage."""
    env = base_env(home)
    time.sleep(1.0)  # what an earlier run left in flight is answered and logged before the mark
    mark = sb.mark()
    t0 = time.time()
    p = WatchedPopen([CHATSYNC, "-c", sb.config, "-p", "sandbox", "--cache", cache, "refresh", "--progress", *args], env=env,
                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    lines = []

    def reader():
        for raw in p.stderr:
            lines.append((time.time(), raw.decode(errors="replace").rstrip("\n")))

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    first_graph = None
    cpu0 = cpu1 = t_cpu0 = t_cpu1 = None
    interrupted = False
    while p.poll() is None:
        sb.poll_log()
        if first_graph is None:
            for e in sb.entries[mark:]:
                if is_graph(e) and e["end"] >= t0:
                    first_graph = e
                    cpu0, t_cpu0 = proc_cpu(p.pid), time.time()
                    break
        if first_graph is not None and graph_s is not None and time.time() - t_cpu0 >= graph_s and not interrupted:
            cpu1, t_cpu1 = proc_cpu(p.pid), time.time()
            p.send_signal(signal.SIGINT)
            interrupted = True
        time.sleep(0.01)
    th.join(5)
    entries = [e for e in sb.since(mark) if e["end"] >= t0]
    log(f"refresh {' '.join(args)}: exit {p.returncode}, {len(entries)} requests; its lines:")
    for t, line in lines[-12:]:
        log(f"  {t - t0:8.3f} {line}")
    return {"t0": t0, "t_end": time.time(), "entries": entries, "lines": lines, "cpu0": cpu0, "cpu1": cpu1,
            "t_cpu0": t_cpu0, "t_cpu1": t_cpu1, "status": p.returncode, "rss_mb": p.rss_mb,
            "cpu_total": p.cpu_total, "first_graph": first_graph}


class WatchedPopen(subprocess.Popen):
    """A Popen whose poll() reaps with wait4, keeping the child's peak RSS and CPU time."""

    rss_mb = None
    cpu_total = None

    def poll(self):
        if self.returncode is not None:
            return self.returncode
        p, st, ru = os.wait4(self.pid, os.WNOHANG)
        if p == self.pid:
            self.returncode = os.waitstatus_to_exitcode(st)
            self.rss_mb = ru.ru_maxrss / 1024.0
            self.cpu_total = ru.ru_utime + ru.ru_stime
        return self.returncode


def dataverse_phase(r):
    """Figures of the refresh's Dataverse part from its log entries and progress lines."""
    fg = r["first_graph"]
    cut = fg["start"] if fg else float("inf")
    dv = [e for e in r["entries"] if e["start"] < cut and not is_graph(e)]
    # --progress lines: "dataverse N/N envs" once every environment is written, "graph 0/N chats" once
    # the Graph phase is planned (its candidates deduplicated and ordered)
    done = [t for t, l in r["lines"] if re.search(r"dataverse:? (\d+)/\1 env", l)]
    planned = [t for t, l in r["lines"] if re.search(r"graph:? 0/\d+ chats", l)]
    last_dv_end = max((e["end"] for e in dv if is_dataverse(e)), default=None)
    wall = (done[-1] - r["t0"]) if done else ((last_dv_end - r["t0"]) if last_dv_end else float("nan"))
    nan = float("nan")
    return {"wall": wall, "requests": len(dv), "bytes": sum(e.get("bytes", 0) for e in dv),
            "throttled": sum(1 for e in dv if e.get("status") == 429), "entries": dv, "last_dv_end": last_dv_end,
            "gap": (fg["start"] - last_dv_end) if fg and last_dv_end else nan,
            "write_tail": (done[-1] - last_dv_end) if done and last_dv_end else nan,
            "plan": (planned[0] - done[-1]) if planned and done else nan}


def longest_chain(dv_entries):
    """The longest chain of requests that depend on each other: the discovery token and Global
    Discovery, then per environment its token and the longest run of pages of one table (each page
    needs the previous one's nextLink). Tables and environments are independent of each other."""
    pages = {}
    for e in dv_entries:
        m = re.match(r"^/env/([^/]+)/api/data/v9\.2/([A-Za-z_]+)", e["path"])
        if m:
            pages[(m.group(1), m.group(2))] = pages.get((m.group(1), m.group(2)), 0) + 1
    per_env = {}
    for (env, _table), n in pages.items():
        per_env[env] = max(per_env.get(env, 0), n)
    longest = max(per_env.values(), default=0)
    return 2 + 1 + longest, longest


def loopback_rate(sb, env_name):
    """Bytes/s of one connection carrying large Dataverse pages over loopback, with no injected
    latency: the sandbox serving them and curl receiving them (best of three)."""
    tok = sb.token(f"{sb.base}/env/{env_name}/.default")
    best = 0.0
    for table in ("chats", "activityparties", "msdyn_teamschatassociations"):
        out = subprocess.run(["curl", "-s", "-o", "/dev/null", "--cacert", sb.ca, "-H", f"Authorization: Bearer {tok}",
                              "-H", "Prefer: odata.maxpagesize=5000", "-H", "Accept: application/json",
                              "-w", "%{size_download} %{time_total}", f"{sb.base}/env/{env_name}/api/data/v9.2/{table}"],
                             capture_output=True, text=True, timeout=60)
        size, total = out.stdout.split()
        log(f"loopback: {table} {size} bytes in {total} s")
        best = max(best, float(size) / float(total))
    return best


# ---------------------------------------------------------------- the console through a pty


class Console:
    def __init__(self, cache, home, cols=120, lines=40):
        import pty
        import fcntl
        import termios
        self.screen = pyte.Screen(cols, lines)
        self.stream = pyte.ByteStream(self.screen)
        env = base_env(home)
        env.update(TERM="xterm", CHATSYNC_NOW=NOW_ISO)
        self.t_exec = time.time()
        pid, fd = pty.fork()
        if pid == 0:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", lines, cols, 0, 0))
            os.execve(CHATSYNC, [CHATSYNC, "--cache", cache], env)
        self.pid, self.fd = pid, fd
        self.last_byte = None

    def text(self):
        return self.screen.display

    def read_some(self, timeout):
        """Reads what is there within timeout; returns True when something came."""
        r, _, _ = select.select([self.fd], [], [], timeout)
        if not r:
            return False
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        self.last_byte = time.time()
        self.stream.feed(data)
        return True

    def until(self, pred, timeout):
        """Reads until pred(screen lines) holds; the time of the bytes that made it hold, or None."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.read_some(0.2) and pred(self.text()):
                return self.last_byte
        return None

    def learn_tick(self, wait=1.5):
        """The console redraws once a second (ages); finds when, so keys are not timed across it."""
        self.tick = None
        deadline = time.time() + wait
        while time.time() < deadline:
            if self.read_some(deadline - time.time()):
                self.tick = self.last_byte
        return self.tick

    def key(self, data, quiet=0.05, timeout=3.0):
        """Sends a key; seconds until the last byte of the console's answer (the answer ends when the
        terminal stays quiet for `quiet` seconds). None when nothing came. A key that the second's
        redraw would follow within its answer waits for that redraw to pass first."""
        while self.read_some(0):
            pass
        tick = getattr(self, "tick", None)
        if tick is not None:
            phase = (time.time() - tick) % 1.0
            if phase > 1.0 - (quiet + 0.25):
                time.sleep(1.0 - phase + 0.03)
                while self.read_some(0.01):
                    pass
        t0 = time.time()
        os.write(self.fd, data)
        got = None
        deadline = t0 + timeout
        while time.time() < deadline:
            if self.read_some(quiet if got else deadline - time.time()):
                got = self.last_byte
            elif got:
                break
        return (got - t0) if got else None

    def close(self):
        for k in (b"q", b"q", b"q"):
            try:
                os.write(self.fd, k)
            except OSError:
                break
            time.sleep(0.2)
            while self.read_some(0):
                pass
        st, ru = wait4(self.pid, 10)
        os.close(self.fd)
        return st, ru.ru_maxrss / 1024.0


