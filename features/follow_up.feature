Feature: Follow up days later
  A few days after the problem is resolved, make sure all is well.

  Scenario: The follow-up falls due days after resolving, not before
    Given the brand under test
    And it is 2026-12-01 10:00
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When 1 hours pass
    Then the case is "resolved"
    When 7 days pass
    Then the case is "follow_up_due"
    And the history records "follow_up_due" by "timer"

  Scenario: Bistro follows up two days after resolving
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When 1 days pass
    Then the case is "resolved"
    When 1 days pass
    Then the case is "follow_up_due"

  Scenario: Reopening cancels the follow-up
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When "eva" fires "reopen"
    And 30 days pass
    Then the case is "investigating"
    And no timer is pending

  Scenario: A followed-up case closes quietly a week later
    Given the brand "eshop"
    And a complaint from "Ivana": "Parcel late again"
    And the case has reached "followed_up"
    When 7 days pass
    Then the case is "closed"
