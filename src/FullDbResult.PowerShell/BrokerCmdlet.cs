using FullDbResult.Control;
using FullDbResult.Publishing;
using FullDbResult.RabbitMq;
using FullDbResult.RabbitMq.Control;

namespace FullDbResult.PowerShell;

/// <summary>
/// The base of cmdlets that send tasks: the store of <see cref="StoreCmdlet"/> and a broker, named by
/// -BrokerUrl, else by the session (-Session or Connect-FullDbResult -BrokerUrl), else by
/// FULLDBRESULT_BROKER_URL, else the local default; -BrokerCredential gives its user and password. The
/// connection opens on first send and closes with the command.
/// </summary>
public abstract class BrokerCmdlet : StoreCmdlet, IDisposable
{
    private ResolvedBroker? _broker;
    private RabbitMqConnection? _connection;
    private RabbitMqTaskPublisher? _publisher;
    private RabbitMqControlBroadcaster? _broadcaster;
    private TaskClient? _client;

    /// <summary>The RabbitMQ URL, e.g. amqp://user:password@host:5672/vhost; wins over the session and the environment.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? BrokerUrl { get; set; }

    /// <summary>The broker's user name and password, kept out of the URL (and out of any output).</summary>
    [Parameter]
    [Credential]
    public PSCredential? BrokerCredential { get; set; }

    /// <summary>The publisher over the broker, opened on first use.</summary>
    protected ITaskPublisher Publisher => _publisher ??= OpenPublisher();

    /// <summary>Sends Celery remote-control commands (revoke, ping, inspect) over the broker; it connects on first use.</summary>
    protected IControlBroadcaster Broadcaster => _broadcaster ??= Log.Create<RabbitMqControlBroadcaster>(Connection);

    /// <summary>Sends and retries tasks through the store and the broker.</summary>
    protected TaskClient Client => _client ??= new TaskClient(Store, Publisher, ClientOptions);

    /// <summary>How <see cref="Client"/> sends; the library's defaults unless a cmdlet says otherwise.</summary>
    protected virtual TaskClientOptions? ClientOptions => null;

    /// <summary>
    /// Reports a publish the broker did not confirm. An unreachable broker, or one that refuses the login, ends
    /// the command: every next task would fail the same way, and each would leave one more unsent PENDING row.
    /// Any other failure (an unroutable message) belongs to this task, and the pipeline goes on.
    /// </summary>
    protected void WritePublishError(TaskPublishException exception, object target)
    {
        if (BrokerErrors.IsUnavailable(exception.InnerException ?? exception))
            ThrowTerminatingError(BrokerErrors.Unavailable(exception, Broker));
        WriteError(new ErrorRecord(exception, "TaskNotPublished", ErrorCategory.ConnectionError, target));
    }

    /// <summary>
    /// Runs a call that needs the broker (and maybe the store) as <see cref="StoreCmdlet.Await"/> does; a broker
    /// that cannot be reached, or refuses the login, ends the command: every next input would fail alike.
    /// </summary>
    protected T AwaitBroker<T>(Func<CancellationToken, Task<T>> call)
    {
        try
        {
            return Await(call);
        }
        catch (Exception exception) when (exception is RabbitMqAuthenticationException or RabbitMqUnavailableException)
        {
            ThrowTerminatingError(BrokerErrors.Unavailable(exception, Broker));
            throw; // not reached: ThrowTerminatingError throws
        }
    }

    /// <summary>
    /// Connects to the broker now and ends the command if that fails: for a command that may find nothing to
    /// send, and would otherwise report success with a broker that refuses its login.
    /// </summary>
    protected void VerifyBroker()
    {
        try
        {
            Connection.VerifyAsync(StopToken).GetAwaiter().GetResult();
        }
        catch (RabbitMqAuthenticationException exception)
        {
            ThrowTerminatingError(BrokerErrors.Unavailable(exception, Broker));
        }
        catch (RabbitMqUnavailableException exception)
        {
            ThrowTerminatingError(BrokerErrors.Unavailable(exception, Broker));
        }
    }

    private ResolvedBroker Broker => _broker ??= ResolvedBroker.Resolve(BrokerUrl, BrokerCredential, (Session ?? CurrentSession.Get())?.ResolvedBroker);

    private RabbitMqConnection Connection => _connection ??= OpenConnection();

    private RabbitMqConnection OpenConnection()
    {
        RabbitMqConnection connection;
        try
        {
            connection = Broker.Open("FullDbResult PowerShell", Log);
        }
        catch (ArgumentException)
        {
            ThrowTerminatingError(BrokerErrors.InvalidUrl(Broker));
            throw; // not reached: ThrowTerminatingError throws
        }
        WriteVerbose($"Broker {connection.RedactedUrl}, from {Broker.Source}.");
        return connection;
    }

    private RabbitMqTaskPublisher OpenPublisher() => new(Connection);

    public void Dispose()
    {
        _publisher?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _broadcaster?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _connection?.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }
}
