using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace PetSitter.Email.Tests.Suppression;

public sealed class InMemorySuppressionListTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Adding_again_keeps_the_first_reason_and_time()
    {
        var list = new InMemorySuppressionList(_time);
        var first = _time.GetUtcNow();

        (await list.AddAsync("paws", " Olivia@Clients.Example ", SuppressionReason.Unsubscribed)).Should().BeTrue();
        _time.Advance(TimeSpan.FromDays(1));
        (await list.AddAsync("paws", "olivia@clients.example", SuppressionReason.HardBounce)).Should().BeFalse();

        var entry = (await list.FindAsync("paws", "OLIVIA@clients.example"))!;
        entry.Address.Should().Be("olivia@clients.example");
        entry.Reason.Should().Be(SuppressionReason.Unsubscribed);
        entry.SuppressedAt.Should().Be(first);
    }

    [Fact]
    public async Task Lists_are_per_business_sorted_by_address_and_removal_lets_marketing_through_again()
    {
        var list = new InMemorySuppressionList(_time);
        await list.AddAsync("paws", "zoe@clients.example", SuppressionReason.Complained);
        await list.AddAsync("paws", "adam@clients.example", SuppressionReason.HardBounce);
        await list.AddAsync("claws", "zoe@clients.example", SuppressionReason.Unsubscribed);

        (await list.ListAsync("paws")).Select(e => e.Address).Should().Equal("adam@clients.example", "zoe@clients.example");
        (await list.RemoveAsync("paws", "Zoe@Clients.Example")).Should().BeTrue();
        (await list.RemoveAsync("paws", "zoe@clients.example")).Should().BeFalse();
        (await list.FindAsync("paws", "zoe@clients.example")).Should().BeNull();
        (await list.FindAsync("claws", "zoe@clients.example")).Should().NotBeNull("another business's list is its own");
        (await list.ListAsync("nobody")).Should().BeEmpty();
    }

    [Theory]
    [InlineData("not an address")]
    [InlineData("Olivia <olivia@clients.example>")]
    [InlineData("")]
    public async Task An_address_that_is_not_one_mailbox_is_refused_naming_the_parameter(string address)
    {
        var list = new InMemorySuppressionList(_time);

        var act = async () => await list.AddAsync("paws", address, SuppressionReason.Unsubscribed);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("address");
    }

    [Fact]
    public void AddPetSitterEmail_registers_the_in_memory_list()
    {
        var services = new ServiceCollection();
        services.AddPetSitterEmail();
        using var provider = services.BuildServiceProvider();

        provider.GetRequiredService<ISuppressionList>().Should().BeOfType<InMemorySuppressionList>();
    }
}
