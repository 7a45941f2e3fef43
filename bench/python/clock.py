"""The timed interval of a benchmark program: its wall time, and the CPU time
the whole process (user and system) spent in it, as bench/clock.js for the
JavaScript programs."""
import time

_cpu0 = None


def start():
    """Starts the interval: returns time.perf_counter_ns() and notes the CPU time used so far."""
    global _cpu0
    _cpu0 = time.process_time_ns()
    return time.perf_counter_ns()


def cpu_ns():
    """The CPU time (ns) used since the last start()."""
    return time.process_time_ns() - _cpu0
