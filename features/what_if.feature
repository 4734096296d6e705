Feature: Policy what-if
  A care manager tries a policy change on the history it would have governed before it goes
  live: every case of the period is replayed, each act at its own time, through the proposed
  flow, and set beside what really happened. Nothing live is touched. Once the new flow is
  live, the cases already in flight keep the version of the flow they opened with until a lead
  moves them to it on purpose.

  Scenario: A tighter urgent target shows which of last week's urgent cases would have breached
    Given the brand "eshop"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@ana" with 50000 followers: "Where is my order 123?"
    When 10 minutes pass
    And "eva" replies publicly
    And 2 days pass
    And the care manager replays the last 7 days under a flow where twitter answers urgent complaints within 5m
    Then under that flow 1 urgent case breaches the first response target, against 0 recorded
    And nothing live changed

  Scenario: A lower remedy limit names the remedy it would not have given
    Given the brand "bistro"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@jana": "Cold soup again, second time this month"
    And the case has reached "investigating"
    When "eva" records the finding "founded" with root cause "soup waits too long at the pass"
    And "eva" offers a discount worth 15
    And 2 days pass
    And the care manager replays the last 7 days under a flow where an agent may give a discount worth at most 5
    Then under that flow 1 discount worth 15 would not be given
    And the refused act is named with its case and why
    And nothing live changed

  Scenario: A removed state blocks moving the cases in flight until it is mapped
    Given the brand "eshop"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@bo": "Order 55 never came"
    And the case has reached "waiting"
    When the brand's flow goes live without the state "waiting"
    Then the case still runs under the flow it opened with
    And "customer_replied" may fire now
    When "petr" moves the brand's cases in flight to the new flow
    Then it is refused because "no longer has the state"
    And the case is still "waiting"
    When "petr" moves the brand's cases in flight to the new flow, mapping "waiting" to "investigating"
    Then the case is "investigating"
    And the case runs under the new flow
    And the history records "migrate" by "petr"

  Scenario: A moved case's clock follows the new target from the move on
    Given the brand "eshop"
    And it is 2026-12-01 10:00
    And a complaint on twitter from "@ana": "My parcel is late again"
    When 10 minutes pass
    And the brand's flow goes live with twitter answering complaints within 30m
    Then the first response clock is due at 2026-12-01 11:00
    When "petr" moves the brand's cases in flight to the new flow
    Then the first response clock is due at 2026-12-01 10:30
    And the history says the first response target went from 1h to 30m
    When the clock reaches 2026-12-01 10:31
    Then the first response clock is breached
