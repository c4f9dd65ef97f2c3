"""What a fault scenario answers: its figures and checks (and the small helpers every scenario's checks use)."""


class Result:
    def __init__(self, name, fault):
        self.name, self.fault = name, fault
        self.figures = {}   # what was measured, for the report
        self.checks = []    # (description, passed, detail)
        self.behaviour = ""

    def check(self, description, passed, detail=""):
        self.checks.append((description, bool(passed), detail))

    @property
    def passed(self):
        return all(passed for _, passed, _ in self.checks)

    def as_dict(self):
        return {"name": self.name, "fault": self.fault, "behaviour": self.behaviour, "figures": self.figures,
                "checks": [{"check": d, "passed": p, "detail": x} for d, p, x in self.checks], "passed": self.passed}


def ms(seconds):
    return None if seconds is None else round(seconds * 1000, 1)


def no_500(samples):
    return all(status != 500 for _, _, status in samples)
