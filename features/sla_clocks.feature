Feature: SLA clocks keep the brand's hours
  Speed matters per channel, but time to resolution matters most. Each case has a first-response
  clock and a resolution clock, counting the brand's business hours. Only a person's public
  reply stops the first-response clock; an automatic notice never does. Waiting on the customer
  pauses the resolution clock, resolving stops it, reopening resumes it.

  Scenario: A Twitter case breaches after one business hour without a human reply
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@jana": "Cold soup again"
    Then the first response clock is due at 2026-12-01 11:00
    When the clock reaches 2026-12-01 10:50
    Then the first response clock is not breached
    When the clock reaches 2026-12-01 11:01
    Then the first response clock is breached
    And the case's priority is "high"
    And the history records "first_response.breach" by "timer"

  Scenario: A person's public reply stops the first-response clock
    Given the brand under test
    And it is 2026-12-01 12:00
    And a complaint from "@jana": "Still waiting for my order"
    When 10 minutes pass
    And "eva" replies publicly
    Then the first response clock is stopped
    When 3 days pass
    Then the first response clock is not breached

  Scenario: An automatic notice does not stop the clock
    Given the brand "bistro"
    And it is 2026-12-01 23:00
    And a complaint on twitter from "@jana": "Studená polévka"
    Then the customer got an after-hours notice saying "v 10:00"
    And the first response clock is running
    When the clock reaches 2026-12-02 11:01
    Then the first response clock is breached

  Scenario: Resolving stops the resolution clock
    Given the brand under test
    And it is 2026-12-01 12:00
    And a complaint from "@jana": "Still waiting for my order"
    And the case has reached "resolved"
    Then the resolution clock is stopped
    When 30 days pass
    Then the resolution clock is not breached

  Scenario: Reopening resumes the resolution clock where it stopped
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@jana": "Cold soup again"
    And the case has reached "resolved"
    Then the resolution clock has 1d left
    When 1 days pass
    And "eva" fires "reopen"
    Then the resolution clock is running
    And the resolution clock has 1d left
    And the resolution clock is due at 2026-12-03 22:00

  Scenario: Waiting on the customer pauses the resolution clock
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@jana": "Cold soup again"
    And the case has reached "investigating"
    When 1 hours pass
    And "eva" fires "wait_for_customer" with the note "asked for the receipt"
    Then the resolution clock is paused
    When 3 days pass
    Then the resolution clock has 23h left
    When "eva" fires "customer_replied"
    Then the resolution clock is running

  Scenario: An answer after the target counts as breached even when no timer fired
    A late answer is late, however the engine found out: the worker was down, cron was late,
    or the case came over from another helpdesk. The breach is recorded when the clock stops,
    with the escalation it declares, and never twice.
    Given the brand "bistro"
    And it is 2026-11-24 10:00
    And a complaint on twitter from "@jana": "Cold soup again"
    When the worker is down until 2026-11-24 13:00
    And "eva" replies publicly
    Then the first response clock is stopped
    And the first response clock is breached
    And the history records "first_response.breach" by "recovery"
    And the case's priority is "high"
    And the care report counts 1 breached first response clock
    And the care report counts 0 met first response clocks
    When the clock reaches 2026-11-25 10:00
    Then the history records "first_response.breach" once

  Scenario: An answer within the target is met, however late the timers run
    Given the brand "bistro"
    And it is 2026-11-24 10:00
    And a complaint on twitter from "@jana": "Cold soup again"
    When the worker is down until 2026-11-24 10:59
    And "eva" replies publicly
    And the clock reaches 2026-11-25 10:00
    Then the first response clock is not breached
    And the care report counts 1 met first response clock
    And the care report counts 0 breached first response clocks
