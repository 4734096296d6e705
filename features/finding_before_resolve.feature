Feature: No resolution without a finding
  Investigate calmly: find the kernel of truth and the root cause before calling it settled.

  Scenario: A case cannot be resolved before a finding is recorded
    Given the brand under test
    And a complaint from "@marek": "The courier left my parcel in the rain"
    And the case has reached "investigating"
    Then "resolve" may not fire now, because "no finding is recorded yet"
    When "eva" fires "resolve"
    Then it is refused because "no finding"
    And the case is still "investigating"

  Scenario: A founded finding needs its root cause
    Given the brand under test
    And a complaint from "@marek": "The courier left my parcel in the rain"
    And the case has reached "investigating"
    When "eva" records the finding "founded"
    Then it is refused because "needs a root cause"

  Scenario: A finding is one of founded, partly or unfounded
    Given the brand under test
    And a complaint from "@marek": "The courier left my parcel in the rain"
    And the case has reached "investigating"
    When "eva" records the finding "maybe" with root cause "unclear"
    Then it is refused because "founded, partly, unfounded"
