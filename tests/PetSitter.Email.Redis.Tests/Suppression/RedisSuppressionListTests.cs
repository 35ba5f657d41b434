using Microsoft.Extensions.Time.Testing;
using MimeKit;
using PetSitter.Email.Redis.Tests.Support;
using PetSitter.Email.Testing;
using StackExchange.Redis;

namespace PetSitter.Email.Redis.Tests.Suppression;

/// <summary>The suppression list on the real redis-server of the fixture, shared by instances and kept across restarts.</summary>
[Collection(RedisGroup.Name)]
public sealed class RedisSuppressionListTests(RedisFixture redis) : IAsyncLifetime
{
    private const string Client = "olivia.hart@clients.example";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly string _prefix = RedisFixture.NewPrefix();
    private readonly Settings _settings = new(new BusinessEmailSettings
    {
        BusinessId = "paws",
        BusinessName = "Paws",
        ReplyToAddress = "hello@paws.example",
        Smtp = Settings.Unlimited(),
    });

    private readonly Fleet _instances = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _instances.DisposeAsync().AsTask();

    [Fact]
    public async Task UseRedis_replaces_the_in_memory_list()
    {
        New().Get<ISuppressionList>().Should().BeOfType<RedisSuppressionList>();
    }

    [Fact]
    public async Task Adding_again_from_another_instance_keeps_the_first_reason_and_time()
    {
        var first = New().Get<ISuppressionList>();
        var second = New().Get<ISuppressionList>();
        var at = _time.GetUtcNow();

        (await first.AddAsync("paws", " Olivia.Hart@Clients.Example", SuppressionReason.Unsubscribed)).Should().BeTrue();
        _time.Advance(TimeSpan.FromHours(2));
        (await second.AddAsync("paws", Client, SuppressionReason.HardBounce)).Should().BeFalse();

        var entry = (await second.FindAsync("paws", "OLIVIA.HART@clients.example"))!;
        entry.Address.Should().Be(Client);
        entry.Reason.Should().Be(SuppressionReason.Unsubscribed);
        entry.SuppressedAt.Should().Be(at);
    }

    [Fact]
    public async Task Lists_are_per_business_sorted_and_survive_a_restart_and_removal_works()
    {
        var list = New().Get<ISuppressionList>();
        await list.AddAsync("paws", "zoe@clients.example", SuppressionReason.Complained);
        await list.AddAsync("paws", "adam@clients.example", SuppressionReason.HardBounce);
        await list.AddAsync("claws", "zoe@clients.example", SuppressionReason.Unsubscribed);
        await _instances[0].DisposeAsync();
        _instances.Clear();

        var restarted = New().Get<ISuppressionList>();

        (await restarted.ListAsync("paws")).Select(e => (e.Address, e.Reason)).Should().Equal(
            ("adam@clients.example", SuppressionReason.HardBounce), ("zoe@clients.example", SuppressionReason.Complained));
        (await restarted.RemoveAsync("paws", "ZOE@clients.example")).Should().BeTrue();
        (await restarted.RemoveAsync("paws", "zoe@clients.example")).Should().BeFalse();
        (await restarted.FindAsync("paws", "zoe@clients.example")).Should().BeNull();
        (await restarted.FindAsync("claws", "zoe@clients.example")).Should().NotBeNull();
        (await restarted.ListAsync("nobody")).Should().BeEmpty();
    }

    [Fact]
    public async Task The_key_hashes_the_business_id_and_is_one_hash_per_business()
    {
        var list = New().Get<ISuppressionList>();
        await list.AddAsync("paws-and-claws", Client, SuppressionReason.Unsubscribed);

        var keys = redis.AdminServer.Keys(pattern: _prefix + "*").Select(k => (string)k!).ToList();

        keys.Should().ContainSingle().Which.Should().MatchRegex("suppress:\\{[0-9a-f]{24}\\}$").And.NotContain("paws");
        (await redis.Admin.KeyTypeAsync(keys[0])).Should().Be(RedisType.Hash);
    }

    [Fact]
    public async Task An_address_that_is_not_one_mailbox_is_refused_naming_the_parameter()
    {
        var list = New().Get<ISuppressionList>();

        var act = async () => await list.AddAsync("paws", "Olivia <olivia@clients.example>", SuppressionReason.Unsubscribed);

        (await act.Should().ThrowAsync<ArgumentException>()).Which.ParamName.Should().Be("address");
    }

    [Fact]
    public async Task An_unsubscribe_seen_by_one_instance_stops_marketing_from_another_while_invoices_still_go()
    {
        var transport = new CountingTransport(_time);
        var one = New(transport);
        var other = New(transport);
        await one.Get<ISuppressionList>().AddAsync("paws", Client, SuppressionReason.Unsubscribed);

        var marketing = await other.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, Message(1)));
        var invoice = await other.Sender.SendAsync(new OutgoingEmail("paws", EmailCategory.Invoice, Message(2)));

        marketing.Status.Should().Be(SendStatus.Failed);
        marketing.Suppression.Should().Be(SuppressionReason.Unsubscribed);
        invoice.IsSent.Should().BeTrue(invoice.ToString());
        transport.Accepted.Select(a => a.MessageId).Should().Equal("m2@paws.test");
    }

    private Instance New(ISmtpTransport? transport = null)
    {
        var instance = new Instance(redis.ConnectionString, _prefix, _time, _settings, transport ?? new CountingTransport(_time), new RecordingNativeMailer());
        _instances.Add(instance);
        return instance;
    }

    private static MimeMessage Message(int number)
    {
        var message = new MimeMessage { MessageId = $"m{number}@paws.test", Subject = $"#{number}" };
        message.From.Add(MailboxAddress.Parse("hello@paws.example"));
        message.To.Add(MailboxAddress.Parse(Client));
        message.Body = new TextPart("plain") { Text = "Bello says hello." };
        return message;
    }
}
