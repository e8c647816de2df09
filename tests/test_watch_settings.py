"""The watcher picks up new transcription settings between jobs.

The worker process is replaced by a recorder here: what is under test is *when* the watcher
restarts it (the real worker and model run in test_watch.py).
"""

from __future__ import annotations

from generator.recordings.watch import Watcher


class _Recorder(Watcher):
    """A Watcher whose worker start/stop are recorded instead of spawning a process."""

    def __init__(self, config) -> None:
        super().__init__(config)
        self.calls: list[str] = []
        self.worker = object()

    def _start_worker(self) -> None:
        self.calls.append("start")
        self.worker = object()

    def _stop_worker(self) -> None:
        self.calls.append("stop")
        self.worker = None


def test_new_transcription_settings_restart_the_idle_worker(project) -> None:
    watcher = _Recorder(project.config())
    project.write("site_config.yml", "branding: {coach_name: C}\ntranscription: {beam_size: 5}\n")
    watcher._reload_config()
    assert watcher.config.transcription.beam_size == 5
    assert watcher.calls == ["stop", "start"]


def test_a_busy_worker_is_restarted_only_after_its_job(project) -> None:
    watcher = _Recorder(project.config())
    watcher.in_flight["job:abc"] = "ada-quill"
    project.write("site_config.yml", "branding: {coach_name: C}\naudio: {bitrate_kbps: 32}\n")
    watcher._reload_config()
    assert watcher.calls == []
    watcher._result(("finished", "job:abc", "", "ada-quill", "", "done", ""))  # job over
    assert not watcher.in_flight
    assert watcher.calls == ["stop", "start"]


def test_other_setting_changes_leave_the_worker_alone(project) -> None:
    watcher = _Recorder(project.config())
    project.write("site_config.yml", "branding: {coach_name: Someone Else}\n")
    watcher._reload_config()
    assert watcher.config.branding.coach_name == "Someone Else"
    assert watcher.calls == []
