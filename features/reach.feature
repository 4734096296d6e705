Feature: Complaints that travel far are answered first
  A negative post can go viral and reach thousands: catch it early and answer it first. A brand
  declares how far a complaint must travel to be high or urgent (its author's followers, the
  post's likes, shares and replies) and how fast each priority is answered. A case's priority
  rises as its reach grows, and never falls by itself; the lead is told, and the tighter target
  counts from that moment.

  Scenario: A complaint from an author with 20,000 followers opens urgent with the 15-minute target
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@jana" with 20000 followers: "Cold soup again"
    Then the case's priority is "urgent"
    And the first response clock's target is 15m
    And the first response clock is due at 2026-12-01 10:15

  Scenario: Shares rising past 50 make a case urgent and tell the lead
    Given the brand under test
    And it is 2026-12-01 12:00
    And a complaint on twitter from "@jana" with 200 followers: "Still waiting for my order"
    Then the case's priority is "normal"
    When 5 minutes pass
    And the post's shares rise to 8
    Then the case's priority is "normal"
    When 5 minutes pass
    And the post's shares rise to 60
    Then the case's priority is "urgent"
    And the lead is told the case rose
    When the post's shares rise to 3
    Then the case's priority is "urgent"

  Scenario: The tighter target counts from the moment the case rose
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@jana" with 200 followers: "Cold soup again"
    Then the first response clock is due at 2026-12-01 11:00
    When 10 minutes pass
    And the post's followers rise to 1500
    Then the case's priority is "high"
    And the first response clock's target is 30m
    And the first response clock is due at 2026-12-01 10:30
