Feature: The life of a complaint
  A public complaint is acknowledged in public, investigated, taken private when it gets
  personal, remedied where warranted, resolved, and followed up days later.

  Scenario: A complaint is recovered from first reply to follow-up
    Given the brand under test
    And it is 2026-12-01 10:00
    And a complaint from "@jana": "Cold soup again, second time this month"
    When "eva" fires "acknowledge" with the note "Public reply: sorry, we want to fix this"
    And "eva" fires "investigate"
    And "eva" records the finding "founded" with root cause "soup waits at the pass"
    And "eva" fires "move_private"
    And "eva" offers a remedy within the limit
    And "eva" fires "resolve"
    Then the case is "resolved"
    And a timer for "ask" is pending
    When 7 days pass
    Then the case is "followed_up"
    And the customer was asked how it went, privately
    When the customer answers 5 saying "All good now, thank you"
    Then the case is "closed"
    And the history reads "open, acknowledge, investigate, record_finding, move_private, offer_remedy, resolve, follow_up, answer, close"
    And the history records "follow_up" by "timer"

  Scenario: An unfounded complaint is resolved without a remedy
    Given the brand "bistro"
    And a complaint from "@petr": "The soup was too salty"
    And the case has reached "investigating"
    When "eva" records the finding "unfounded"
    And "eva" fires "resolve"
    Then the case is "resolved"

  Scenario: A customer who is not satisfied after all reopens the case
    Given the brand under test
    And a complaint from "@ola": "Still waiting for the refund you promised"
    And the case has reached "resolved"
    When "eva" fires "reopen"
    Then the case is "investigating"
    And no timer is pending
