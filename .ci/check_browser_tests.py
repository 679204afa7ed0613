"""Fail unless every JUnit report ran browser tests and none of them was skipped."""

import sys
import xml.etree.ElementTree as ET  # noqa: S405  # our own pytest output


def main(paths: list[str]) -> int:
    for path in paths:
        cases = [
            case
            for case in ET.parse(path).getroot().iter("testcase")  # noqa: S314
            if "browser" in case.get("classname", "")
        ]
        skipped = [case for case in cases if case.find("skipped") is not None]
        if not cases or skipped:
            print(
                f"{path}: {len(cases)} browser tests, {len(skipped)} skipped: failing CI"
            )
            return 1
        print(f"{path}: {len(cases)} browser tests ran")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
