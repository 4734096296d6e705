Feature: Follow up days later
  Days after a complaint is resolved, the engine asks the customer how it went, on a scale of
  1 to 5, where the conversation went (in private once it moved private). It reminds once and
  acts on the answer: a low score reopens the case, a good one closes it, no answer closes it
  quietly. It does not ask where asking makes no sense.

  Scenario: The customer is asked days after resolving, not before
    Given the brand under test
    And it is 2026-12-01 10:00
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When 1 hours pass
    Then the case is "resolved"
    And the customer was not asked how it went
    When 8 days pass
    Then the case is "followed_up"
    And the customer was asked how it went, publicly
    And the history records "follow_up" by "timer"

  Scenario: Two working days after a Friday resolve, the customer is asked on Tuesday
    Given the brand "eshop"
    And it is 2026-12-04 15:00
    And a complaint on twitter from "Ivana": "My parcel is late again"
    And the case has reached "resolved"
    When the clock reaches 2026-12-08 14:59
    Then the customer was not asked how it went
    When the clock reaches 2026-12-08 15:00
    Then the customer was asked how it went at 2026-12-08 15:00, publicly

  Scenario: Bistro asks two days after resolving, weekend or not: its team works every day
    Given the brand "bistro"
    And it is 2026-12-04 15:00
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When the clock reaches 2026-12-06 15:00
    Then the customer was asked how it went at 2026-12-06 15:00

  Scenario: A case that moved to private messages is asked privately
    Given the brand "bistro"
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "private"
    When "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" fires "resolve"
    And 2 days pass
    Then the customer was asked how it went, privately

  Scenario: A low score reopens the case, resumes its clock, raises its priority, tells the lead
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "followed_up"
    When the customer answers 2 saying "Still cold, and nobody called me back"
    Then the case is "investigating"
    And the resolution clock is running
    And the case's priority is "high"
    And the lead is told

  Scenario: A good score closes the case
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "followed_up"
    When the customer answers 5
    Then the case is "closed"

  Scenario: No answer gets one reminder, then the case closes quietly
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "followed_up"
    When 1 days pass
    Then the customer was reminded 0 times
    When 5 days pass
    Then the customer was reminded 1 time
    And the case is "followed_up"
    When 10 days pass
    Then the case is "closed"
    And the case closed because "no answer"
    And the customer was reminded 1 time

  Scenario: A reopened case is not asked
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When "eva" fires "reopen"
    And "eva" fires "resolve"
    And 10 days pass
    Then the customer was not asked how it went
    And the case closed because "reopened"

  Scenario: A customer who asked not to be contacted is not asked
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When "eva" records that the customer asked not to be contacted
    And 10 days pass
    Then the customer was not asked how it went
    And the case closed because "do_not_contact"

  Scenario: A remedy waiting for a lead holds the question back until it is decided
    Given the brand "bikeshare"
    And a complaint from "@marek": "Your bike tore my jeans"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "a loose mudguard screw"
    And "eva" offers a voucher worth 450
    And "eva" fires "resolve"
    And 6 days pass
    Then the customer was not asked how it went
    When "petr" approves the remedy
    And 6 days pass
    Then the customer was asked how it went

  Scenario: The engine asks by itself; a person does not fire the question
    Given the brand under test
    And a complaint from "@jana": "Cold soup again"
    And the case has reached "resolved"
    When "eva" fires "follow_up"
    Then it is refused because "asks the follow-up by itself"
